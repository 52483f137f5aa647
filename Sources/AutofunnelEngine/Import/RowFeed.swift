import AutofunnelCore
import Foundation

/// The rows of an import file in batches, read and mapped. A row whose id an earlier row has is refused as the dry
/// pass found it, which read the whole file: so also when the earlier row was committed by a run this one resumes,
/// and without a second set of every id in memory.
///
/// Each new row comes with its deal's moves, read from the history file here rather than by the writer: the writer
/// is the one thread an import cannot spread, so whatever can be done beside it is.
///
/// One batch is read at a time, by one task at a time (the writing pass starts reading the next batch only after the
/// last read ended), so the mutable state needs no lock; `@unchecked Sendable` says so to the compiler.
final class RowFeed: @unchecked Sendable {
    private let file: any ImportTable
    private let reader: ImportRowReader
    private let history: ImportHistory?
    private let duplicates: [Int: ImportProblem]
    private let source: String
    private let batchSize: Int
    private let resumedAfter: Int
    /// Rows read so far (the header not counted).
    private(set) var rows = 0
    let format: String

    init(
        request: ImportService.Request, reader: ImportRowReader, history: ImportHistory?, duplicates: [Int: ImportProblem], resumedAfter: Int
    ) throws {
        file = try ImportTables.open(request.file)
        format = file.format
        _ = try file.next()
        self.reader = reader
        self.history = history
        self.duplicates = duplicates
        source = request.mapping.source
        batchSize = max(1, request.batchSize)
        self.resumedAfter = resumedAfter
    }

    /// Up to a batch of rows after the resume point, each with its line (empty at the end of the file), and how many
    /// rows were read up to the batch's end.
    func nextBatch() throws -> (rows: [Row], read: Int) {
        var batch: [Row] = []
        batch.reserveCapacity(batchSize)
        while batch.count < batchSize, let record = try file.next() {
            rows += 1
            guard record.line > resumedAfter else { continue }
            var parsed = reader.deal(ImportService.cells(record, source: source), row: record.line)
            if let duplicate = duplicates[record.line] { parsed = .failure(ImportProblems([duplicate])) }
            var moves: Result<[ImportedMove], any Error> = .success([])
            if case .success(let deal) = parsed, let history { moves = Result { try history.moves(of: deal.externalID) } }
            batch.append(Row(line: record.line, deal: parsed, moves: moves))
        }
        return (batch, rows)
    }

    /// A row of the file read and mapped, with the moves of its deal in the order they happened (or why they could not
    /// be read).
    struct Row: Sendable {
        let line: Int
        let deal: Result<ImportedDeal, ImportProblems>
        let moves: Result<[ImportedMove], any Error>
    }
}
