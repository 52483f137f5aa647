import AutofunnelCore
import AutofunnelStore
import Foundation
import Logging
import Synchronization

/// Imports of uploaded files that the server runs in the background, one at a time, each recorded as an `ImportJob`
/// (what the API and the import page show): checked before it is queued, its progress kept after every batch, its
/// refused rows kept for the errors CSV. A job whose server stopped shows as failed once its heartbeat is stale; the
/// same file uploaded again resumes from the import journal.
public final class ImportJobs: Sendable {
    public let uploads: ImportUploads
    let deals: DealService
    let logger: Logger
    let state = Mutex(State())

    var imports: ImportService { ImportService(deals: deals) }
    var store: Store { deals.store }
    var clock: AppClock { deals.clock }

    /// How often a running server says its jobs are alive, and how old that may get before a job counts as lost.
    static let heartbeat: Duration = .seconds(2)
    static let staleAfterMillis: Int64 = 30_000
    /// What a job lost with its server says.
    public static let interrupted = "interrupted; upload again to resume"

    /// The jobs this process runs: the progress of each (newer than the record between heartbeats), the last job
    /// queued (the next one waits for it) and the heartbeat while any is alive.
    struct State {
        var live: [Int64: Progress] = [:]
        var tail: Task<Void, Never>?
        var beating = false
    }

    struct Progress: Sendable {
        var rows: Int64 = 0
        var total: Int64?
    }

    public init(deals: DealService, uploads: ImportUploads, logger: Logger) {
        self.deals = deals
        self.uploads = uploads
        self.logger = logger
    }

    /// Checks an upload with its mapping and queues the import; the run goes on in the background. Refused at once
    /// (422) when the file cannot be read, the mapping does not fit it, or a real run would leave columns unmapped.
    public func start(_ upload: ImportUploads.Upload, mapping: ImportMapping, dryRun: Bool, skipUnmapped: Bool, by user: UserID?) async throws
        -> ImportJob
    {
        let reader = try await rowReader(upload, mapping: mapping)
        if !dryRun && !skipUnmapped && !reader.unmappedColumns.isEmpty {
            throw AppError.refused(
                reader.unmappedColumns.map { column in
                    Violation(
                        rule: .unmappedColumn, field: column,
                        message: .init(
                            ru: "Столбец «\(column)» не сопоставлен: укажите его в сопоставлении (или ignore)",
                            en: "The column '\(column)' is not mapped: map it (or to ignore)"))
                })
        }
        let now = clock.now()
        let job = try await store.write { s in
            try await s.insertImportJob(
                ImportJob(
                    fileName: upload.meta.fileName, historyName: upload.meta.historyName, source: mapping.source,
                    mapping: try ImportMappingFile.text(mapping), dryRun: dryRun, skipUnmapped: skipUnmapped, upload: upload.id, createdBy: user,
                    createdAt: now, heartbeatAt: now))
        }
        enqueue(job, upload: upload, mapping: mapping, unmappedColumns: reader.unmappedColumns)
        return job
    }

    /// A job as it stands: this process's progress of one it runs; an active one whose server stopped, failed.
    public func job(_ id: Int64) async throws -> ImportJob? {
        guard let job = try await store.read({ s in try await s.importJob(id) }) else { return nil }
        return try await current([job]).first
    }

    /// The latest jobs, newest first.
    public func jobs(limit: Int = 20) async throws -> [ImportJob] {
        try await current(try await store.read { s in try await s.importJobs(limit: limit) })
    }

    /// A job's refused rows in file order (`limit` nil: all).
    public func problems(_ id: Int64, limit: Int? = nil) async throws -> [ImportProblem] {
        try await store.read { s in try await s.importJobProblems(id, limit: limit) }
    }

    /// Jobs with the progress this process knows; active ones no process keeps alive are failed as interrupted.
    func current(_ jobs: [ImportJob]) async throws -> [ImportJob] {
        let live = state.withLock { $0.live }
        let now = clock.now()
        let staleBefore = now.adding(millis: -Self.staleAfterMillis)
        var out = jobs
        var lost = false
        for i in out.indices where out[i].status.isActive {
            if let progress = live[out[i].id] {
                out[i].rows = max(out[i].rows, progress.rows)
                out[i].total = progress.total ?? out[i].total
            } else if out[i].heartbeatAt < staleBefore {
                lost = true
                out[i].status = .failed
                out[i].message = Self.interrupted
                out[i].finishedAt = now
            }
        }
        if lost {
            _ = try await store.write { s in
                try await s.failStaleImportJobs(
                    staleBefore: staleBefore, alive: Set(live.keys), message: Self.interrupted, at: now)
            }
        }
        return out
    }
}
