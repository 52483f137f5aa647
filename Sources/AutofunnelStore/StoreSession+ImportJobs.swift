import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Records a new job; returns it with its id.
    public func insertImportJob(_ job: ImportJob) async throws -> ImportJob {
        var saved = job
        saved.id = try await insertReturningID("import_jobs", ImportJobRecord(job))
        return saved
    }

    /// One job, or nil.
    public func importJob(_ id: Int64) async throws -> ImportJob? {
        try await db.select().column(SQLNames(ImportJobRecord.columns)).from("import_jobs").where("id", .equal, id)
            .first(decoding: ImportJobRecord.self)?.job()
    }

    /// The latest jobs, newest first.
    public func importJobs(limit: Int) async throws -> [ImportJob] {
        try await db.select().column(SQLNames(ImportJobRecord.columns)).from("import_jobs").orderBy("id", .descending).limit(limit)
            .all(decoding: ImportJobRecord.self).map { $0.job() }
    }

    /// Writes a job's state. Only an active job changes: a finished or failed one is final, so a process that was taken
    /// for dead and writes late changes nothing.
    public func saveImportJob(_ job: ImportJob) async throws {
        let r = ImportJobRecord(job)
        try await db.update("import_jobs")
            .set("status", to: r.status).set("rows_read", to: r.rows_read).set("total_rows", to: r.total_rows).set("created", to: r.created)
            .set("updated", to: r.updated).set("refused", to: r.refused).set("moves", to: r.moves).set("resumed_after", to: r.resumed_after)
            .set("message", to: r.message).set("started_at", to: r.started_at).set("finished_at", to: r.finished_at)
            .set("heartbeat_at", to: r.heartbeat_at)
            .where("id", .equal, job.id).where("status", .in, ImportJob.Status.allCases.filter(\.isActive).map(\.rawValue))
            .run()
    }

    /// The progress of an active job and the heartbeat of the process running it.
    public func saveImportJobProgress(_ id: Int64, rows: Int64, total: Int64?, at: Timestamp) async throws {
        try await db.update("import_jobs").set("rows_read", to: rows).set("total_rows", to: total).set("heartbeat_at", to: at.millis)
            .where("id", .equal, id).where("status", .in, ImportJob.Status.allCases.filter(\.isActive).map(\.rawValue))
            .run()
    }

    /// Fails the active jobs whose process stopped saying it is alive before `staleBefore`, but those in `alive`;
    /// returns how many.
    public func failStaleImportJobs(staleBefore: Timestamp, alive: Set<Int64>, message: String, at: Timestamp) async throws -> Int {
        let stale = try await db.select().column("id").from("import_jobs")
            .where("status", .in, ImportJob.Status.allCases.filter(\.isActive).map(\.rawValue)).where("heartbeat_at", .lessThan, staleBefore.millis)
            .all().map { try $0.decode(column: "id", as: Int64.self) }.filter { !alive.contains($0) }
        guard !stale.isEmpty else { return 0 }
        try await db.update("import_jobs").set("status", to: ImportJob.Status.failed.rawValue).set("message", to: message)
            .set("finished_at", to: at.millis)
            .where("id", .in, stale).where("status", .in, ImportJob.Status.allCases.filter(\.isActive).map(\.rawValue))
            .where("heartbeat_at", .lessThan, staleBefore.millis)
            .run()
        return stale.count
    }

    /// Appends refused rows of a job, numbered on from `first` (their order in the file).
    public func insertImportJobProblems(_ job: Int64, first: Int, _ problems: [ImportProblem]) async throws {
        guard !problems.isEmpty else { return }
        let rows: [[any Encodable & Sendable]] = problems.enumerated().map { i, p in
            [job, Int64(first + i), Int64(p.row), p.column, p.message]
        }
        try await db.raw(
            insertStatement(into: "import_job_problems", columns: SQLNames("job_id", "seq", "row_number", "column_name", "message"), rows: rows)
        )
        .run()
    }

    /// A job's refused rows in file order; `limit` nil for all of them.
    public func importJobProblems(_ job: Int64, limit: Int? = nil) async throws -> [ImportProblem] {
        var query = db.select().column("row_number").column("column_name").column("message").from("import_job_problems")
            .where("job_id", .equal, job).orderBy("seq")
        if let limit { query = query.limit(limit) }
        return try await query.all().map { row in
            ImportProblem(
                row: Int(try row.decode(column: "row_number", as: Int64.self)), column: try row.decode(column: "column_name", as: String?.self),
                try row.decode(column: "message", as: String.self))
        }
    }
}
