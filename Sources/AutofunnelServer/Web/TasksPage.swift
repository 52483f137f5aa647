import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Hummingbird

/// My tasks due today or overdue; for heads of sales and admins, also the team's overdue tasks.
struct TasksPage {
    struct Row {
        let id: Int64
        let title: String
        let deal: Int64
        let dealTitle: String
        let due: String
        let overdue: Bool
        let assignee: String
        let mine: Bool
    }
    /// The team's overdue tasks, for those who lead a team.
    struct Team {
        let rows: [Row]
    }
    let mine: [Row]
    let team: Team?

    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        router.get("/tasks") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            let page = try await load(viewer: viewer, services: services)
            return renderer.page("tasks", page, title: viewer.ru ? "Задачи" : "Tasks", viewer: viewer)
        }
    }

    static func load(viewer: WebViewer, services: AppServices) async throws -> TasksPage {
        let now = services.clock.now()
        // The end of today, UTC: the day the card and the lists show times in.
        let endOfDay = Timestamp(millis: (now.millis / 86_400_000 + 1) * 86_400_000)
        let principal = viewer.principal
        return try await services.store.read { s in
            let names = Dictionary(try await s.users().map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            let view = FieldView(principal, catalog: try await s.fieldCatalog())
            let everything = view.showsEverything
            var deals: [DealID: DealSnapshot?] = [:]
            func rows(_ tasks: [DealTask]) async throws -> [Row] {
                var out: [Row] = []
                for task in tasks {
                    if deals[task.deal] == nil {
                        let deal = (try? await s.deal(task.deal)).flatMap { principal.sees($0) ? $0 : nil }
                        deals[task.deal] = .some(
                            try await deal.asyncMap { everything ? DealSnapshot(deal: $0) : try await s.snapshot(of: $0) })
                    }
                    guard let snapshot = deals[task.deal] ?? nil else { continue }
                    let deal = snapshot.deal
                    out.append(
                        Row(
                            id: task.id.rawValue, title: view.task(task, in: snapshot).title, deal: deal.id.rawValue, dealTitle: deal.title,
                            due: WebFormat.time(task.dueAt),
                            overdue: task.dueAt < now, assignee: task.assignee.flatMap { names[$0] } ?? "—", mine: task.assignee == principal.user.id)
                    )
                }
                return out
            }
            let mine = try await s.tasks(TaskFilter(assignee: principal.user.id, status: .open)).filter { $0.dueAt < endOfDay }
            let team = viewer.leadsTeam ? Team(rows: try await rows(try await s.tasks(TaskFilter(overdueAt: now)))) : nil
            return TasksPage(mine: try await rows(mine), team: team)
        }
    }
}
