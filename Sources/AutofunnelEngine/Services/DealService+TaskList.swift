import AutofunnelCore
import AutofunnelStore

/// A task as a person may read it, with its deal.
public struct VisibleTask: Sendable {
    /// The task, its title and text masked by the reader's field access.
    public let task: DealTask
    public let deal: Deal
}

extension DealService {
    /// The tasks a filter finds, kept to those of deals the principal sees, each masked by their field access: what
    /// the tasks page and the calendar feed show.
    public func visibleTasks(_ filter: TaskFilter, principal: Principal, limit: Int = 500) async throws -> [VisibleTask] {
        try await store.read { s in
            let view = FieldView(principal, catalog: try await s.fieldCatalog())
            var snapshots: [DealID: DealSnapshot?] = [:]
            var out: [VisibleTask] = []
            for task in try await s.tasks(filter, limit: limit) {
                if snapshots[task.deal] == nil {
                    let deal = (try? await s.deal(task.deal)).flatMap { principal.sees($0) ? $0 : nil }
                    snapshots[task.deal] = .some(
                        try await deal.asyncMap { view.showsEverything ? DealSnapshot(deal: $0) : try await s.snapshot(of: $0) })
                }
                guard let snapshot = snapshots[task.deal] ?? nil else { continue }
                out.append(VisibleTask(task: view.task(task, in: snapshot), deal: snapshot.deal))
            }
            return out
        }
    }
}
