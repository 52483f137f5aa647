import AutofunnelCore
import AutofunnelStore
import Foundation

/// Notes and tasks from files of their own (`ExportService.noteColumns`, `taskColumns`), imported after the deals: a
/// row names its deal by the deal's id in the source, which an earlier import tied to ours (`external_ids`); a row
/// whose deal no import brought is refused with its row. Every note and task keeps its own id in the source, so the
/// same file imported again writes nothing new, and a run cut half-way writes what it lacks when run again.
///
/// A note goes where `DealService.addNote` puts one — the deal's notes and a timeline entry — at its own time and with
/// its author (actor kind `import`). A task goes into the tasks table as it stands there: open, done or closed, with
/// its due, creation and completion times, its assignee (else the deal's responsible) and creator; an open one gets the
/// due-time timer every task gets, a done one's result becomes a note on the deal at its completion, as completing a
/// task here does. Each batch of rows is one write transaction.
extension ImportService {
    /// A notes or tasks file to import.
    public struct ActivityRequest: Sendable {
        public var file: URL
        /// The deals' mapping: its `source` (the ids' namespace), `dates`, `timeZone` and `users` apply.
        public var mapping: ImportMapping
        public var dryRun: Bool
        /// On a dry run, the ids of the deals the deals file of the same run would create: rows on them are not refused.
        public var pendingDeals: Set<String>
        public var batchSize: Int

        public init(file: URL, mapping: ImportMapping, dryRun: Bool = false, pendingDeals: Set<String> = [], batchSize: Int = 1000) {
            self.file = file
            self.mapping = mapping
            self.dryRun = dryRun
            self.pendingDeals = pendingDeals
            self.batchSize = batchSize
        }
    }

    /// What a notes or tasks import did (or, dry, would do).
    public struct ActivitySummary: Sendable, Equatable {
        public var rows = 0
        public var created = 0
        /// Rows an earlier import brought already: left as they are.
        public var unchanged = 0
        public var refused: [ImportProblem] = []
        public init() {}
        public var refusedRows: Int { Set(refused.map(\.row)).count }
    }

    /// Imports the notes of `request.file`.
    public func importNotes(_ request: ActivityRequest, progress: Progress = { _ in }) async throws -> ActivitySummary {
        try await importActivities(request, kind: .notes, progress: progress)
    }

    /// Imports the tasks of `request.file`.
    public func importTasks(_ request: ActivityRequest, progress: Progress = { _ in }) async throws -> ActivitySummary {
        try await importActivities(request, kind: .tasks, progress: progress)
    }

    func importActivities(_ request: ActivityRequest, kind: ActivityFeed.Kind, progress: Progress) async throws -> ActivitySummary {
        let users = try await store.read { s in try await s.users() }
        let feed = try ActivityFeed(url: request.file, kind: kind, mapping: request.mapping, users: users, batchSize: request.batchSize)
        let source = request.mapping.source
        let recordKind: ExternalKind = kind == .notes ? .note : .task
        var summary = ActivitySummary()
        while true {
            let batch = try await Blocking.run { try feed.nextBatch() }
            guard !batch.isEmpty else { break }
            let outcome = try await settle(batch, kind: recordKind, source: source, pending: request.pendingDeals, feed: feed)
            summary.unchanged += outcome.known.count
            summary.refused += outcome.refused
            if request.dryRun {
                summary.created += outcome.fresh.count + outcome.pending
            } else if !outcome.fresh.isEmpty {
                let fresh = outcome.fresh
                try await store.write { s in try await Self.save(fresh, source: source, session: s) }
                summary.created += fresh.count
            }
            summary.rows = feed.rows
            progress(feed.rows)
            await Task.yield()
        }
        summary.refused.sort { $0.row < $1.row }
        return summary
    }

    /// Sorts a batch's rows out (`Settled`).
    func settle(_ batch: [ActivityFeed.Row], kind: ExternalKind, source: String, pending: Set<String>, feed: ActivityFeed) async throws
        -> Settled
    {
        let ids = batch.compactMap(\.externalID)
        let dealIDs = Array(Set(batch.compactMap(\.deal)))
        let (known, ours, live) = try await store.read { s in
            let known = try await s.localIDs(kind, source: source, externalIDs: ids)
            let ours = try await s.localIDs(.deal, source: source, externalIDs: dealIDs)
            let live = try await s.deals(ids: Array(Set(ours.values)).map { DealID($0) })
            return (known, ours, live)
        }
        var out = Settled()
        for row in batch {
            guard let id = row.externalID, let deal = row.deal else {
                if case .refused(let problem) = row { out.refused.append(problem) }
                continue
            }
            if known[id] != nil {
                out.known.append(id)
                continue
            }
            let line: Int
            switch row {
            case .note(let n): line = n.row
            case .task(let t): line = t.row
            case .refused: continue
            }
            guard let local = ours[deal] else {
                if pending.contains(deal) {
                    out.pending += 1
                } else {
                    out.refused.append(
                        ImportProblem(row: line, column: feed.column("deal_id"), "No deal \(deal) from \(source) here: its deal was not imported"))
                }
                continue
            }
            guard let ourDeal = live[DealID(local)] else {
                out.refused.append(
                    ImportProblem(row: line, column: feed.column("deal_id"), "The deal \(deal) from \(source) (ours \(local)) was deleted"))
                continue
            }
            out.fresh.append((ourDeal, row))
        }
        return out
    }

    /// A batch's rows sorted out: the ids imported before, the refused rows' problems, the new rows with our deal, and
    /// (dry) how many are on deals the same run's deals file would create.
    struct Settled: Sendable {
        var known: [String] = []
        var refused: [ImportProblem] = []
        var fresh: [(Deal, ActivityFeed.Row)] = []
        var pending = 0
    }

    /// Writes new notes and tasks on our deals, with their timeline entries and external ids, in the caller's transaction.
    static func save(_ fresh: [(Deal, ActivityFeed.Row)], source: String, session s: StoreSession) async throws {
        var timeline: [TimelineEntry] = []
        var notes: [(externalID: String, localID: Int64, at: Timestamp)] = []
        var tasks: [(externalID: String, localID: Int64, at: Timestamp)] = []
        for (owner, row) in fresh {
            let deal = owner.id
            switch row {
            case .note(let n):
                let note = try await s.insertNote(deal: deal, text: n.text, author: n.author, at: n.at)
                timeline.append(TimelineEntry(deal: deal, at: n.at, kind: "note", text: n.text, actor: Actor(kind: .import, userID: n.author)))
                notes.append((n.externalID, note.id.rawValue, n.at))
            case .task(let t):
                let assignee = t.assignee ?? owner.responsible
                let task = try await s.insertTask(
                    DealTask(
                        id: TaskID(0), deal: deal, title: t.title, text: t.text, assignee: assignee, creator: t.creator, status: t.status,
                        dueAt: t.dueAt, createdAt: t.createdAt, completedAt: t.doneAt))
                timeline.append(
                    TimelineEntry(deal: deal, at: t.createdAt, kind: "task", text: t.title, actor: Actor(kind: .import, userID: t.creator)))
                if t.status == .done, let at = t.doneAt {
                    timeline.append(
                        TimelineEntry(deal: deal, at: at, kind: "task_done", text: t.title, actor: Actor(kind: .import, userID: assignee)))
                    if let result = t.result?.trimmed, !result.isEmpty {
                        _ = try await s.insertNote(deal: deal, text: String("\(t.title): \(result)".prefix(20_000)), author: assignee, at: at)
                    }
                }
                tasks.append((t.externalID, task.id.rawValue, t.createdAt))
            case .refused: continue
            }
        }
        try await s.appendTimeline(timeline)
        try await s.linkExternalIDs(.note, source: source, notes)
        try await s.linkExternalIDs(.task, source: source, tasks)
    }
}
