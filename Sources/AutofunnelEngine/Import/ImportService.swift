import AutofunnelCore
import AutofunnelStore
import Crypto
import Foundation

/// Imports deals (with their contacts, companies and stage history) from a CSV file: read → map → check → write, in
/// batches of one write transaction, each deal in a savepoint of its own so that a refused deal undoes only itself.
/// Every record keeps its id in the source (`external_ids`): the same file imported again updates what the first run
/// made and duplicates nothing. A journal (`import_runs`) records the last committed row, so a run cut half-way
/// resumes after it.
public struct ImportService: Sendable {
    let deals: DealService
    var store: Store { deals.store }
    var clock: AppClock { deals.clock }

    public init(deals: DealService) { self.deals = deals }

    /// What to import and how.
    public struct Request: Sendable {
        public var file: URL
        public var mapping: ImportMapping
        /// A stage-log file (`deal_id,pipeline,from_stage,to_stage,at,…`, as `export history` writes it): the moves
        /// of each new deal are replayed at their times.
        public var history: URL?
        /// Reads and checks every row and writes nothing.
        public var dryRun: Bool
        /// Goes on when a stage, user or pipeline is not mapped: such rows are refused, such users left empty.
        public var skipUnmapped: Bool
        public var batchSize: Int
        /// Told the number of rows once the dry pass has read them all (a job's total for its progress bar).
        public var checked: (@Sendable (Int) -> Void)? = nil

        public init(file: URL, mapping: ImportMapping, history: URL? = nil, dryRun: Bool = false, skipUnmapped: Bool = false, batchSize: Int = 1000) {
            self.file = file
            self.mapping = mapping
            self.history = history
            self.dryRun = dryRun
            self.skipUnmapped = skipUnmapped
            self.batchSize = batchSize
        }
    }

    /// What a run did (or, dry, would do).
    public struct Summary: Sendable, Equatable {
        public var rows = 0
        public var created = 0
        public var updated = 0
        /// Every refused row's problems, in file order.
        public var refused: [ImportProblem] = []
        /// Rows a resumed run found committed by the run it resumes.
        public var resumedAfter = 0
        public var encoding: String = ""
        public var moves = 0
        /// On a dry run, the ids of the deals that would be written (a notes or tasks file of the same run may name them).
        public var checkedIDs: Set<String> = []
        public init() {}
        /// How many rows were refused (a row may have several problems).
        public var refusedRows: Int { Set(refused.map(\.row)).count }
    }

    /// Progress after each batch: rows read so far.
    public typealias Progress = @Sendable (Int) -> Void

    /// Refused before anything is written: the mapping leaves columns or values unmapped.
    public struct Unmapped: Error, Sendable, CustomStringConvertible {
        public var columns: [String]
        public var problems: [ImportProblem]
        public var description: String {
            var lines = ["The mapping leaves these unmapped (map them, or run with --skip-unmapped):"]
            if !columns.isEmpty { lines.append("  columns: " + columns.joined(separator: ", ")) }
            for p in problems.prefix(20) { lines.append("  row \(p.row)\(p.column.map { ", \($0)" } ?? ""): \(p.message)") }
            if problems.count > 20 { lines.append("  … and \(problems.count - 20) more") }
            return lines.joined(separator: "\n")
        }
    }

    /// Imports `request.file`; a dry run only reads and checks.
    public func run(_ request: Request, progress: Progress = { _ in }) async throws -> Summary {
        let now = clock.now()
        let (pipelines, users) = try await store.read { s in (try await s.pipelines(), try await s.users()) }
        let file = try ImportTables.open(request.file)
        guard let header = try file.next() else { throw ImportProblem(row: 1, "The file is empty: no header row") }
        let reader = try ImportRowReader(header: header.fields, mapping: request.mapping, pipelines: pipelines, users: users, now: now)
        // The history file is read on another thread while the rows are checked.
        let reading = request.history.map { url in
            Task { try await Blocking.run { try ImportHistory(url, mapping: request.mapping, users: users) } }
        }
        var summary: Summary
        let history: ImportHistory?
        let duplicates: [Int: ImportProblem]
        do {
            // In a scope of its own: the dry pass's ids are let go before the writing pass.
            let checked = try await check(file: ImportTables.open(request.file), reader: reader, request: request)
            history = try await reading?.value
            summary = checked.summary
            duplicates = checked.duplicates
            request.checked?(summary.rows)
            summary.moves = checked.ids.keys.reduce(0) { $0 + (history?.count(of: $1) ?? 0) }
            if request.dryRun { summary.checkedIDs = Set(checked.ids.keys) }
        } catch {
            reading?.cancel()
            throw error
        }
        summary.refused += history?.refused ?? []
        summary.encoding = file.format
        let blocking = summary.refused.filter(\.unmapped)
        if !request.dryRun && !request.skipUnmapped && (!reader.unmappedColumns.isEmpty || !blocking.isEmpty) {
            throw Unmapped(columns: reader.unmappedColumns, problems: blocking)
        }
        guard !request.dryRun else { return summary }
        return try await write(
            request: request, reader: reader, history: history, duplicates: duplicates, digest: try Self.digest(request), progress: progress)
    }

    /// The dry pass: every row read and checked, and whether its deal exists already.
    /// Returns the summary and the ids of the rows that would be written, with their lines.
    func check(file: any ImportTable, reader: ImportRowReader, request: Request) async throws -> Checked {
        var summary = Summary()
        _ = try file.next()
        // Each id with its first row; Int32 halves what a million ids hold beside the history's index.
        var seen: [String: Int32] = [:]
        var duplicates: [Int: ImportProblem] = [:]
        var batch: [ImportedDeal] = []
        func count(_ batch: [ImportedDeal]) async throws {
            let source = request.mapping.source
            let existing = try await store.read { s in try await s.localIDs(.deal, source: source, externalIDs: batch.map(\.externalID)).count }
            summary.updated += existing
            summary.created += batch.count - existing
        }
        while let record = try file.next() {
            summary.rows += 1
            // Reserved once from the file's size: a dictionary that doubles holds both tables while it grows.
            if summary.rows == 1000, let estimate = (file as? DelimitedFile)?.estimatedRecords(afterReading: 1000) { seen.reserveCapacity(estimate) }
            switch reader.deal(Self.cells(record, source: request.mapping.source), row: record.line) {
            case .failure(let problems): summary.refused += problems.all
            case .success(let deal):
                if let first = seen[deal.externalID] {
                    let problem = ImportProblem(
                        row: record.line, column: "id", "The id \(deal.externalID) is on row \(first) already: each record once")
                    summary.refused.append(problem)
                    duplicates[record.line] = problem
                    continue
                }
                seen[deal.externalID] = Int32(clamping: record.line)
                batch.append(deal)
                if batch.count >= 1000 {
                    try await count(batch)
                    batch.removeAll()
                }
            }
        }
        try await count(batch)
        return Checked(summary: summary, ids: seen, duplicates: duplicates)
    }

    /// What the dry pass found: the summary, each id with its first row, and the rows whose id an earlier row has.
    struct Checked {
        var summary: Summary
        var ids: [String: Int32]
        var duplicates: [Int: ImportProblem]
    }

    /// A digest of the file's size and start and of the mapping: the journal's key, so that the same import resumes.
    static func digest(_ request: Request) throws -> String {
        var hash = SHA256()
        let handle = try FileHandle(forReadingFrom: request.file)
        defer { try? handle.close() }
        hash.update(data: try handle.read(upToCount: 1 << 20) ?? Data())
        let size = try handle.seekToEnd()
        // The mapping as JSON with sorted keys: its dictionaries print in another order in every process, and the
        // same import must find its journal again after a kill.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        hash.update(data: try encoder.encode(request.mapping))
        hash.update(data: Data("|\(size)|\(request.history?.path ?? "")".utf8))
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
