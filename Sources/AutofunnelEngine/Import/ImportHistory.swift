import AutofunnelCore
import Foundation

/// A stage-log file's moves of each deal, by the deal's id in the source, in the order they happened.
/// Columns by name: `deal_id`, `to_stage`, `at` are needed; `from_stage` (empty for the row that created the deal),
/// `actor` (a user's e-mail), `responsible` and `amount`/`currency` are read when present.
///
/// A CSV history is read through once, every row checked, and kept as an index: each row's offset and line in the
/// file and the next row of the same deal (16 bytes a move), and each deal's first and last row under a 64-bit digest
/// of its id (16 bytes a deal). A deal's rows are read again from the file when its batch is written. So an import of
/// a million deals holds about a hundred megabytes for its history, not the moves themselves. Two ids with one digest
/// share a chain, and reading it keeps the rows of the id asked for. An XLSX or HTML history, which cannot be read
/// from the middle, is kept in memory.
final class ImportHistory: @unchecked Sendable {
    // `@unchecked`: everything is set in `init` and only read after, but for `random`, which `lock` guards.
    /// Rows that cannot be a move, with their line in the history file.
    let refused: [ImportProblem]
    /// How many moves the file has.
    let total: Int
    private let parser: MoveParser
    private let inMemory: [String: [ImportedMove]]?
    /// Each deal's chain: its first and last row (index into `offsets`).
    private let chains: [UInt64: Chain]
    private let offsets: [Int64]
    private let lines: [Int32]
    /// The next row of the same chain, or -1.
    private let next: [Int32]
    private let random: DelimitedFile?
    private let lock = NSLock()

    private struct Chain {
        var first: Int32
        var last: Int32
    }

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
            var chains: [UInt64: Chain] = [:]
            var offsets: [Int64] = []
            var lines: [Int32] = []
            var next: [Int32] = []
            var read = 0
            while let record = try csv.next() {
                read += 1
                // Reserved once from the file's size: arrays that double hold both copies while they grow.
                if read == 1000, let estimate = csv.estimatedRecords(afterReading: read) {
                    offsets.reserveCapacity(estimate)
                    lines.reserveCapacity(estimate)
                    next.reserveCapacity(estimate)
                }
                guard let dealID = parser.dealID(record) else {
                    refused.append(MoveParser.problem(record.line))
                    continue
                }
                let row = Int32(offsets.count)
                offsets.append(csv.lastRecordOffset)
                lines.append(Int32(clamping: record.line))
                next.append(-1)
                let key = Self.digest(dealID)
                if let chain = chains[key] {
                    next[Int(chain.last)] = row
                    chains[key] = Chain(first: chain.first, last: row)
                } else {
                    chains[key] = Chain(first: row, last: row)
                }
            }
            total = offsets.count
            (self.chains, self.offsets, self.lines, self.next) = (chains, offsets, lines, next)
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
            (inMemory, chains, offsets, lines, next, random) = (moves, [:], [], [], [], nil)
        }
        self.refused = refused
        self.total = total
    }

    /// FNV-1a over the id's UTF-8 bytes: stable, and quick on the short ids exports have.
    static func digest(_ id: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }

    /// How many moves the deal has (with another deal's whose id has the same digest, which no real export shows).
    func count(of deal: String) -> Int {
        if let inMemory { return inMemory[deal]?.count ?? 0 }
        var (count, row) = (0, Int(chains[Self.digest(deal)]?.first ?? -1))
        while row >= 0 {
            count += 1
            row = Int(next[row])
        }
        return count
    }

    /// The deal's moves in the order they happened (by moment, then by line).
    func moves(of deal: String) throws -> [ImportedMove] {
        if let inMemory { return inMemory[deal] ?? [] }
        let key = Self.digest(deal)
        guard let chain = chains[key], let random else { return [] }
        var moves: [ImportedMove] = []
        lock.lock()
        defer { lock.unlock() }
        var row = Int(chain.first)
        while row >= 0 {
            guard let record = try random.record(at: offsets[row], line: Int(lines[row])), let move = parser.move(record),
                Self.digest(move.dealExternalID) == key
            else {
                throw ImportProblem(row: Int(lines[row]), column: "history file", "The history file changed while it was imported")
            }
            if move.dealExternalID == deal { moves.append(move) }
            row = Int(next[row])
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

    /// The trimmed cell in column `i`, nil when empty or absent.
    private static func cell(_ record: DelimitedFile.Record, _ i: Int?) -> String? {
        guard let i, i < record.fields.count else { return nil }
        let v = record.fields[i].trimmingWhitespace
        return v.isEmpty ? nil : v
    }

    /// The deal id of a row `move` reads as a move, without reading the rest of the row.
    func dealID(_ record: DelimitedFile.Record) -> String? {
        guard let id = Self.cell(record, deal), Self.cell(record, to) != nil, let at = Self.cell(record, at), dates.parse(at) != nil else {
            return nil
        }
        return id
    }

    /// The row's move, or nil when it lacks a deal, a stage or a moment.
    func move(_ record: DelimitedFile.Record) -> ImportedMove? {
        func cell(_ i: Int?) -> String? { Self.cell(record, i) }
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
