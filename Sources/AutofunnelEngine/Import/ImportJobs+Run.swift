import AutofunnelCore
import AutofunnelStore
import Foundation

extension ImportJobs {
    /// Queues a job behind the one queued before it. The run is a detached task: it belongs to no request and takes
    /// none of a request's context (its transaction, its idempotency key) along.
    func enqueue(_ job: ImportJob, upload: ImportUploads.Upload, mapping: ImportMapping, unmappedColumns: [String]) {
        state.withLock { s in
            s.live[job.id] = Progress()
            let previous = s.tail
            s.tail = Task.detached { [self] in
                await previous?.value
                await run(job, upload: upload, mapping: mapping, unmappedColumns: unmappedColumns)
            }
            if !s.beating {
                s.beating = true
                Task.detached { [self] in await beat() }
            }
        }
    }

    /// Runs one job to its end; whatever happens, the record says how it ended. A dry run that a real one would not get
    /// past (`unmappedColumns`, values left unmapped) says so in its message.
    func run(_ queued: ImportJob, upload: ImportUploads.Upload, mapping: ImportMapping, unmappedColumns: [String]) async {
        var job = queued
        job.status = .running
        job.startedAt = clock.now()
        var problems: [ImportProblem] = []
        do {
            let started = job
            try await store.write { s in try await s.saveImportJob(started) }
            let id = job.id
            var request = ImportService.Request(
                file: upload.file, mapping: mapping, history: upload.history, dryRun: job.dryRun, skipUnmapped: job.skipUnmapped)
            // The dry pass reads every row anyway: its count is the total, with no pass of its own over the upload.
            request.checked = { [self] total in record(id) { $0.total = Int64(total) } }
            let summary = try await imports.run(request) { [self] rows in record(id) { $0.rows = Int64(rows) } }
            job.status = .finished
            job.rows = Int64(summary.rows)
            job.created = Int64(summary.created)
            job.updated = Int64(summary.updated)
            job.refused = Int64(summary.refusedRows)
            job.moves = Int64(summary.moves)
            job.resumedAfter = Int64(summary.resumedAfter)
            problems = summary.refused
            let blocking = summary.refused.filter(\.unmapped)
            if job.dryRun && !job.skipUnmapped && (!unmappedColumns.isEmpty || !blocking.isEmpty) {
                job.message = "A real run would stop here. " + Self.describe(ImportService.Unmapped(columns: unmappedColumns, problems: blocking))
            }
        } catch let unmapped as ImportService.Unmapped {
            job.status = .failed
            job.message = Self.describe(unmapped)
            problems = unmapped.columns.map { ImportProblem(row: 1, column: $0, "The column is not mapped", unmapped: true) } + unmapped.problems
            job.refused = Int64(problems.count)
        } catch {
            job.status = .failed
            job.message = Self.describe(error)
            logger.warning("import job failed", metadata: ["job": "\(job.id)", "error": "\(job.message ?? "")"])
        }
        let live = state.withLock { $0.live[job.id] }
        job.rows = max(job.rows, live?.rows ?? 0)
        job.total = job.total ?? live?.total
        job.finishedAt = clock.now()
        job.heartbeatAt = job.finishedAt ?? job.heartbeatAt
        do {
            // The refused rows first: a job that says it ended has its errors CSV complete.
            var first = 0
            for chunk in stride(from: 0, to: problems.count, by: 500).map({ Array(problems[$0..<min($0 + 500, problems.count)]) }) {
                let (id, from) = (job.id, first)
                try await store.write { s in try await s.insertImportJobProblems(id, first: from, chunk) }
                first += chunk.count
            }
            let ended = job
            try await store.write { s in try await s.saveImportJob(ended) }
        } catch {
            logger.error("import job not recorded", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
        _ = state.withLock { $0.live.removeValue(forKey: job.id) }
        if job.status == .finished && !job.dryRun { uploads.remove(upload.id) }
    }

    /// Updates the progress of a job this process runs.
    func record(_ id: Int64, _ change: (inout Progress) -> Void) {
        state.withLock { s in
            if var p = s.live[id] {
                change(&p)
                s.live[id] = p
            }
        }
    }

    /// While this process has jobs, writes their progress and that they are alive, every `heartbeat`.
    func beat() async {
        while true {
            try? await Task.sleep(for: Self.heartbeat)
            let live = state.withLock { s -> [Int64: Progress]? in
                guard !s.live.isEmpty else {
                    s.beating = false
                    return nil
                }
                return s.live
            }
            guard let live else { return }
            let now = clock.now()
            do {
                try await store.write { s in
                    for (id, p) in live { try await s.saveImportJobProgress(id, rows: p.rows, total: p.total, at: now) }
                }
            } catch {
                logger.warning("import heartbeat not written", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Why a run stopped, in a sentence.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let unmapped as ImportService.Unmapped:
            var parts: [String] = []
            if !unmapped.columns.isEmpty { parts.append("columns " + unmapped.columns.joined(separator: ", ")) }
            let rows = Set(unmapped.problems.map(\.row)).count
            if rows > 0 { parts.append("values on \(rows) row\(rows == 1 ? "" : "s")") }
            return "The mapping leaves these unmapped: \(parts.joined(separator: "; ")) (see the errors CSV). Map them, or import with skipUnmapped."
        case let problem as ImportProblem: return "row \(problem.row): \(problem.message)"
        case let malformed as DelimitedFile.Malformed: return "The file cannot be read: \(malformed)"
        case let app as AppError:
            switch app {
            case .refused(let v), .forbidden(let v): return v.map(\.message.en).joined(separator: "; ")
            case .badRequest(let m, let v): return v.isEmpty ? m : v.map(\.message.en).joined(separator: "; ")
            case .notFound(let m), .conflict(let m): return m
            case .unavailable: return "The database could not take the import (a storage fault); upload again to resume"
            default: return "\(app)"
            }
        default:
            if let app = AppError.from(error) { return describe(app) }
            return "The import stopped: \(error)"
        }
    }
}
