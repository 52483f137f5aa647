import AutofunnelCore
import Foundation

/// A stage-log file's moves of each deal, by the deal's id in the source, in the order they happened.
/// Columns by name: `deal_id`, `to_stage`, `at` are needed; `from_stage` (empty for the row that created the deal),
/// `actor` (a user's e-mail), `responsible` and `amount`/`currency` are read when present.
///
/// A CSV history is read through once, every row checked, and kept as an index: each deal's rows as their offsets and
/// lines in the file (12 bytes a move), read again when the deal's batch is written. So an import of a million deals
/// holds a few dozen megabytes for its history, not the moves themselves. An XLSX or HTML history, which cannot be
/// read from the middle, is kept in memory.
final class ImportHistory: @unchecked Sendable {
    // `@unchecked`: everything is set in `init` and only read after, but for `random`, which `lock` guards.
    /// Rows that cannot be a move, with their line in the history file.
    let refused: [ImportProblem]
    /// How many moves the file has.
    let total: Int
    private let parser: MoveParser
    private let inMemory: [String: [ImportedMove]]?
    private let deals: [String: Int32]
    /// The moves of deal `i` are entries `starts[i]..<starts[i + 1]`, in file order.
    private let starts: [Int32]
    private let offsets: [Int64]
    private let lines: [Int32]
    private let random: DelimitedFile?
    private let lock = NSLock()

    init(_ url: URL, mapping: ImportMapping, users: [User]) throws {
        let file = try ImportTables.open(url)
        guard let header = try file.next()?.fields.map({ $0.trimmingWhitespace.lowercased() }) else {
            throw ImportProblem(row: 1, "The history file is empty: no header row")
        }
        let parser = try MoveParser(header: header, mapping: mapping, users: users)
        self.parser = parser
        var refused: [ImportProblem] = []
        var total = 0
        if let csv = file as? DelimitedFile {
            var deals: [String: Int32] = [:]
            var owner: [Int32] = []
            var offsets: [Int64] = []
            var lines: [Int32] = []
            while let record = try csv.next() {
                guard let move = parser.move(record) else {
                    refused.append(MoveParser.problem(record.line))
                    continue
                }
                let index = deals[move.dealExternalID] ?? Int32(deals.count)
                if index == Int32(deals.count) { deals[move.dealExternalID] = index }
                owner.append(index)
                offsets.append(csv.lastRecordOffset)
                lines.append(Int32(clamping: record.line))
            }
            total = owner.count
            // Grouped by deal (a counting sort keeps each deal's rows in file order).
            var starts = [Int32](repeating: 0, count: deals.count + 1)
            for d in owner { starts[Int(d) + 1] += 1 }
            for i in 0..<deals.count { starts[i + 1] += starts[i] }
            var next = starts
            var grouped = [Int64](repeating: 0, count: total)
            var groupedLines = [Int32](repeating: 0, count: total)
            for (i, d) in owner.enumerated() {
                let slot = Int(next[Int(d)])
                grouped[slot] = offsets[i]
                groupedLines[slot] = lines[i]
                next[Int(d)] += 1
            }
            (self.deals, self.starts, self.offsets, self.lines) = (deals, starts, grouped, groupedLines)
            random = try DelimitedFile(url: url)
            inMemory = nil
        } else {
            var moves: [String: [ImportedMove]] = [:]
            while let record = try file.next() {
                guard let move = parser.move(record) else {
                    refused.append(MoveParser.problem(record.line))
                    continue
                }
                moves[move.dealExternalID, default: []].append(move)
                total += 1
            }
            for key in moves.keys { moves[key]?.sort(by: Self.happenedFirst) }
            (inMemory, deals, starts, offsets, lines, random) = (moves, [:], [0], [], [], nil)
        }
        self.refused = refused
        self.total = total
    }

    /// How many moves the deal has.
    func count(of deal: String) -> Int {
        if let inMemory { return inMemory[deal]?.count ?? 0 }
        guard let i = deals[deal].map(Int.init) else { return 0 }
        return Int(starts[i + 1] - starts[i])
    }

    /// The deal's moves in the order they happened (by moment, then by line).
    func moves(of deal: String) throws -> [ImportedMove] {
        if let inMemory { return inMemory[deal] ?? [] }
        guard let i = deals[deal].map(Int.init), let random else { return [] }
        var moves: [ImportedMove] = []
        lock.lock()
        defer { lock.unlock() }
        for slot in Int(starts[i])..<Int(starts[i + 1]) {
            guard let record = try random.record(at: offsets[slot], line: Int(lines[slot])), let move = parser.move(record),
                move.dealExternalID == deal
            else {
                throw ImportProblem(row: Int(lines[slot]), column: "history file", "The history file changed while it was imported")
            }
            moves.append(move)
        }
        return moves.sorted(by: Self.happenedFirst)
    }

    static func happenedFirst(_ a: ImportedMove, _ b: ImportedMove) -> Bool { (a.at, a.row) < (b.at, b.row) }
}

/// One history row read into a move, by the columns of the file's header.
struct MoveParser: Sendable {
    let deal: Int, to: Int, at: Int
    let from: Int?, by: Int?, responsible: Int?, amount: Int?, currency: Int?, cause: Int?
    let emails: [String: UserID]
    let dates: ImportDates
    let defaultCurrency: String

    init(header: [String], mapping: ImportMapping, users: [User]) throws {
        func index(_ name: String) -> Int? { header.firstIndex(of: name) }
        guard let deal = index("deal_id"), let to = index("to_stage"), let at = index("at") else {
            throw ImportProblem(row: 1, "The history file needs the columns deal_id, to_stage and at")
        }
        (self.deal, self.to, self.at) = (deal, to, at)
        (from, by, responsible) = (index("from_stage"), index("actor"), index("responsible"))
        (amount, currency, cause) = (index("amount"), index("currency"), index("cause"))
        emails = Dictionary(users.map { ($0.email.lowercased(), $0.id) }, uniquingKeysWith: { a, _ in a })
        dates = ImportDates(dayFirst: mapping.dates != "MM.dd.yyyy", zone: ImportDates.zone(named: mapping.timeZone ?? "UTC") ?? .gmt)
        defaultCurrency = mapping.currency ?? "RUB"
    }

    static func problem(_ line: Int) -> ImportProblem {
        ImportProblem(row: line, column: "history file", "A history row needs deal_id, to_stage and a moment in at")
    }

    /// The row's move, or nil when it lacks a deal, a stage or a moment.
    func move(_ record: DelimitedFile.Record) -> ImportedMove? {
        func cell(_ i: Int?) -> String? {
            guard let i, i < record.fields.count else { return nil }
            let v = record.fields[i].trimmingWhitespace
            return v.isEmpty ? nil : v
        }
        guard let dealID = cell(deal), let stage = cell(to), let atText = cell(at), let moment = dates.parse(atText) else { return nil }
        var money: Money?
        if let text = cell(amount), let code = CurrencyCode(cell(currency) ?? defaultCurrency) {
            money = try? Money.parse(ImportRowReader.decimal(text), currency: code).get()
        }
        return ImportedMove(
            row: record.line, dealExternalID: dealID, from: cell(from).map { StageKey($0) }, to: StageKey(stage), at: moment,
            by: cell(by).flatMap { emails[$0.lowercased()] }, responsible: cell(responsible).flatMap { emails[$0.lowercased()] },
            amount: money, cause: cell(cause).map { String($0.prefix(200)) })
    }
}
