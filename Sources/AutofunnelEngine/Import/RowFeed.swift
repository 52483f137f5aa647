import AutofunnelCore
import Foundation

/// The rows of an import file in batches, read and mapped, with the ids seen so far: a later row with an id an earlier
/// row has is refused as a duplicate, also when the earlier row was committed by a run this one resumes.
///
/// One batch is read at a time, by one task at a time (the writing pass starts reading the next batch only after the
/// last read ended), so the mutable state needs no lock; `@unchecked Sendable` says so to the compiler.
final class RowFeed: @unchecked Sendable {
    private let file: any ImportTable
    private let reader: ImportRowReader
    private let source: String
    private let batchSize: Int
    private let resumedAfter: Int
    private var seen: Set<String> = []
    /// Rows read so far (the header not counted).
    private(set) var rows = 0
    let format: String

    init(request: ImportService.Request, reader: ImportRowReader, resumedAfter: Int) throws {
        file = try ImportTables.open(request.file)
        format = file.format
        _ = try file.next()
        self.reader = reader
        source = request.mapping.source
        batchSize = max(1, request.batchSize)
        self.resumedAfter = resumedAfter
    }

    /// Up to a batch of rows after the resume point, each with its line (empty at the end of the file), and how many
    /// rows were read up to the batch's end.
    func nextBatch() throws -> (rows: [(Int, Result<ImportedDeal, ImportProblems>)], read: Int) {
        var batch: [(Int, Result<ImportedDeal, ImportProblems>)] = []
        batch.reserveCapacity(batchSize)
        while batch.count < batchSize, let record = try file.next() {
            rows += 1
            var parsed = reader.deal(ImportService.cells(record, source: source), row: record.line)
            // The rows a resumed run skips still hold their ids: a later row with one of them is a duplicate too.
            guard record.line > resumedAfter else {
                if case .success(let deal) = parsed { seen.insert(deal.externalID) }
                continue
            }
            if case .success(let deal) = parsed {
                if seen.contains(deal.externalID) {
                    parsed = .failure(
                        ImportProblems([ImportProblem(row: record.line, column: "id", "The id \(deal.externalID) is in the file already")]))
                } else {
                    seen.insert(deal.externalID)
                }
            }
            batch.append((record.line, parsed))
        }
        return (batch, rows)
    }
}
