import AutofunnelCore
import AutofunnelStore
import Foundation

extension ImportService {
    /// The writing pass: batches of rows in one transaction each, the journal saved with every batch.
    func write(
        request: Request, reader: ImportRowReader, history: ImportHistory?, duplicates: [Int: ImportProblem], digest: String, progress: Progress
    ) async throws -> Summary {
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
        let feed = try RowFeed(
            request: request, reader: reader, history: history, duplicates: duplicates, resumedAfter: summary.resumedAfter)
        summary.encoding = feed.format
        func flush(_ rows: [RowFeed.Row], read: Int) async throws {
            guard let last = rows.last?.line else { return }
            let snapshot = run
            let outcome = try await store.write { s in
                let outcome = try await self.save(rows, source: source, session: s)
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
            progress(read)
            // The SQLite writer works in place on a cooperative thread: a long import gives the server's other
            // requests their turn between batches.
            await Task.yield()
        }
        // The next batch is read and mapped on another thread while this one is written.
        var pending = Task { try await Blocking.run { try feed.nextBatch() } }
        while true {
            let batch = try await pending.value
            guard !batch.rows.isEmpty else { break }
            pending = Task { try await Blocking.run { try feed.nextBatch() } }
            try await flush(batch.rows, read: batch.read)
        }
        summary.rows = feed.rows
        run.status = .finished
        run.finishedAt = clock.now()
        let finished = run
        try await store.write { s in try await s.saveImportRun(finished) }
        summary.moves = history?.total ?? 0
        summary.refused += history?.refused ?? []
        return summary
    }

    /// Saves a batch's rows in the caller's transaction: a deal imported before is changed in a savepoint of its own;
    /// a new deal is replayed in memory (in a savepoint when it makes a contact or company, which a refusal undoes) and
    /// written with the batch's other new deals at the end.
    func save(_ rows: [RowFeed.Row], source: String, session s: StoreSession) async throws -> BatchOutcome {
        var outcome = BatchOutcome()
        var context = BatchContext(catalog: try await s.fieldCatalog())
        let parsed = rows.compactMap { try? $0.deal.get() }
        let known = try await s.localIDs(.deal, source: source, externalIDs: parsed.map(\.externalID))
        var fresh: [(externalID: String, replay: DealReplay, tags: [Tag])] = []
        for row in rows {
            let deal: ImportedDeal
            switch row.deal {
            case .failure(let problems):
                outcome.refused += problems.all
                continue
            case .success(let d): deal = d
            }
            do {
                let moves = try row.moves.get()
                if let id = known[deal.externalID] {
                    try await s.savepoint("af_import_row") { inner in
                        var inside = context
                        try await self.update(DealID(id), with: deal, moves: moves, source: source, context: &inside, session: inner)
                    }
                    outcome.updated += 1
                    continue
                }
                let replay: DealReplay
                if deal.contact == nil && deal.company == nil {
                    replay = try await self.replay(deal, moves: moves, source: source, context: &context, session: s)
                } else {
                    let start = context
                    replay = try await s.savepoint("af_import_row") { inner in
                        var inside = start
                        return try await self.replay(deal, moves: moves, source: source, context: &inside, session: inner)
                    }
                }
                fresh.append((deal.externalID, replay, deal.tags))
                outcome.created += 1
            } catch let problem as ImportProblem {
                outcome.refused.append(problem)
            } catch  where Self.refusesTheRow(error) {
                outcome.refused.append(ImportProblem(row: row.line, Self.describe(error)))
            }
        }
        try await Self.write(fresh, source: source, session: s)
        return outcome
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
