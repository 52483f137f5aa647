import AutofunnelCore
import AutofunnelStore
import Foundation

extension ImportService {
    /// The writing pass: batches of rows in one transaction each, the journal saved with every batch.
    func write(request: Request, reader: ImportRowReader, history: ImportHistory?, digest: String, progress: Progress) async throws -> Summary {
        let source = request.mapping.source
        let started = clock.now()
        var run =
            try await store.read { s in try await s.importRun(digest) }
            ?? ImportRun(id: digest, source: source, fileName: request.file.lastPathComponent, startedAt: started)
        var summary = Summary()
        summary.resumedAfter = run.status == .running ? Int(run.position) : 0
        if run.status == .finished {
            // The same file again: a new pass that updates what the last one made.
            run = ImportRun(id: digest, source: source, fileName: request.file.lastPathComponent, startedAt: started)
        }
        let file = try ImportTables.open(request.file)
        summary.encoding = file.format
        _ = try file.next()
        var seen: Set<String> = []
        var batch: [(Int, Result<ImportedDeal, ImportProblems>)] = []
        func flush() async throws {
            guard !batch.isEmpty else { return }
            let rows = batch
            let last = rows.last!.0
            let snapshot = run
            let outcome = try await store.write { s in
                var outcome = BatchOutcome()
                for (line, parsed) in rows {
                    switch parsed {
                    case .failure(let problems): outcome.refused += problems.all
                    case .success(let deal):
                        do {
                            let created = try await s.savepoint("af_import_row") { inner in
                                try await self.save(deal, moves: history?.moves[deal.externalID] ?? [], source: source, session: inner)
                            }
                            if created { outcome.created += 1 } else { outcome.updated += 1 }
                        } catch let problem as ImportProblem {
                            outcome.refused.append(problem)
                        } catch  where Self.refusesTheRow(error) {
                            outcome.refused.append(ImportProblem(row: line, Self.describe(error)))
                        }
                    }
                }
                var saved = snapshot
                saved.position = Int64(last)
                saved.created += Int64(outcome.created)
                saved.updated += Int64(outcome.updated)
                saved.refused += Int64(outcome.refused.count)
                try await s.saveImportRun(saved)
                return (outcome, saved)
            }
            run = outcome.1
            summary.created += outcome.0.created
            summary.updated += outcome.0.updated
            summary.refused += outcome.0.refused
            batch.removeAll(keepingCapacity: true)
            progress(summary.rows)
            // The SQLite writer works in place on a cooperative thread: a long import gives the server's other
            // requests their turn between batches.
            await Task.yield()
        }
        while let record = try file.next() {
            summary.rows += 1
            guard record.line > summary.resumedAfter else { continue }
            var parsed = reader.deal(Self.cells(record, source: request.mapping.source), row: record.line)
            if case .success(let deal) = parsed {
                if seen.contains(deal.externalID) {
                    parsed = .failure(
                        ImportProblems([ImportProblem(row: record.line, column: "id", "The id \(deal.externalID) is in the file already")]))
                } else {
                    seen.insert(deal.externalID)
                }
            }
            batch.append((record.line, parsed))
            if batch.count >= request.batchSize { try await flush() }
        }
        try await flush()
        run.status = .finished
        run.finishedAt = clock.now()
        let finished = run
        try await store.write { s in try await s.saveImportRun(finished) }
        summary.moves = history?.moves.values.reduce(0) { $0 + $1.count } ?? 0
        return summary
    }

    /// The cells of a record; our own export's formula guards undone.
    static func cells(_ record: DelimitedFile.Record, source: String) -> [String] {
        source == "autofunnel" ? record.fields.map(CSVText.unguarded) : record.fields
    }

    struct BatchOutcome: Sendable {
        var created = 0
        var updated = 0
        var refused: [ImportProblem] = []
    }

    /// Whether an error refuses one row (a rule, a missing record, a taken value) rather than stopping the run: a storage
    /// fault must stop it, or the rows after it would be counted as refused while nothing is wrong with them.
    static func refusesTheRow(_ error: any Error) -> Bool {
        switch AppError.from(error) {
        case .refused?, .forbidden?, .badRequest?, .notFound?, .conflict?: return true
        default: return false
        }
    }

    static func describe(_ error: any Error) -> String {
        switch AppError.from(error) {
        case .refused(let v)?, .forbidden(let v)?: return v.map(\.message.en).joined(separator: "; ")
        case .badRequest(let m, let v)?: return v.isEmpty ? m : v.map(\.message.en).joined(separator: "; ")
        case .notFound(let m)?, .conflict(let m)?: return m
        default: return "\(error)"
        }
    }
}
