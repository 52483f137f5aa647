import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Hummingbird

/// Open tasks by when they are due — overdue, today, tomorrow, this week, later — on the viewer's clock. A manager
/// sees their own; heads of sales and admins choose whose (everyone's they may see, or one person's), and anyone
/// filters by pipeline and kind. Each task completes or postpones in place.
struct TasksPage {
    struct Row {
        let id: Int64
        let title: String
        let kind: String
        let kindText: String
        let deal: Int64
        let dealTitle: String
        let due: String
        let overdue: Bool
        let assignee: String
    }
    struct Group {
        let key: String
        let title: String
        let rows: [Row]
    }
    let groups: [Group]
    let empty: Bool
    let leads: Bool
    let people: [WebOption]
    let pipelines: [WebOption]
    let kinds: [WebOption]
    /// The filter as a query, so that completing or postponing comes back to the same list.
    let query: String
    let truncated: Bool
    let zone: String
    let suggestedUntil: String

    static let limit = 500

    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        router.get("/tasks") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            let page = try await load(Web.query(request), viewer: viewer, services: services)
            return renderer.page("tasks", page, title: viewer.ru ? "Задачи" : "Tasks", viewer: viewer)
        }
    }

    /// The list's own query from a posted `query` value, keeping only the filter's keys (never another address).
    static func query(_ text: String) -> String? {
        let form = Form.parse(text)
        let kept = ["who", "pipeline", "kind"].compactMap { key in form[key].map { "\(key)=\(Web.encode($0))" } }
        return kept.isEmpty ? nil : "?" + kept.joined(separator: "&")
    }

    static func load(_ query: [String: String], viewer: WebViewer, services: AppServices) async throws -> TasksPage {
        let now = services.clock.now()
        let principal = viewer.principal
        let t = WebText.labels(viewer.locale)
        let (users, pipelines) = try await services.store.read { s in (try await s.users(), try await s.pipelines()) }
        let names = Dictionary(users.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var filter = TaskFilter(status: .open)
        let who = viewer.leadsTeam ? (query["who"] ?? "me") : "me"
        switch who {
        case "me": filter.assignee = principal.user.id
        case "all": break
        default:
            guard let raw = Int64(who), let user = users.first(where: { $0.id.rawValue == raw }) else {
                throw AppError.invalidParameter("who", ru: "Нет такого сотрудника", en: "No such user")
            }
            filter.assignee = user.id
        }
        let visible = pipelines.filter { principal.seesPipeline($0.key) }
        if let key = query["pipeline"], !key.isEmpty {
            guard let pipeline = visible.first(where: { $0.key.rawValue == key }) else {
                throw AppError.invalidParameter("pipeline", ru: "Нет такой воронки", en: "No such pipeline")
            }
            filter.pipeline = pipeline.key
        }
        if let kind = query["kind"], !kind.isEmpty {
            guard let k = DealTask.Kind(rawValue: kind) else {
                throw AppError.invalidParameter("kind", ru: "Нет такого вида задач", en: "No such kind of task")
            }
            filter.kind = k
        }
        let tasks = try await RecordAccess(principal: principal, store: services.store).visibleTasks(filter, limit: limit)
        let zone = viewer.zone
        let bounds: [(String, Timestamp?)] = [
            ("overdue", now), ("today", zone.startOfDay(now, days: 1)), ("tomorrow", zone.startOfDay(now, days: 2)),
            ("week", max(zone.startOfNextWeek(now), zone.startOfDay(now, days: 2))), ("later", nil),
        ]
        var rows: [[Row]] = Array(repeating: [], count: bounds.count)
        for item in tasks {
            let task = item.task
            let index = bounds.firstIndex { $0.1.map { task.dueAt < $0 } ?? true } ?? bounds.count - 1
            rows[index].append(
                Row(
                    id: task.id.rawValue, title: task.title, kind: task.kind.rawValue, kindText: t["taskKind." + task.kind.rawValue] ?? "",
                    deal: item.deal.id.rawValue, dealTitle: item.deal.title, due: viewer.time(task.dueAt), overdue: task.dueAt < now,
                    assignee: task.assignee.flatMap { names[$0] } ?? "—"))
        }
        let groups = bounds.indices.compactMap { i in
            rows[i].isEmpty ? nil : Group(key: bounds[i].0, title: t["tasksDue." + bounds[i].0] ?? bounds[i].0, rows: rows[i])
        }
        var people = [WebOption(value: "me", label: t["tasksMine"] ?? "", selected: who == "me")]
        if viewer.leadsTeam {
            people.append(WebOption(value: "all", label: t["tasksEveryone"] ?? "", selected: who == "all"))
            people += users.filter { $0.active && $0.id != principal.user.id }.map {
                WebOption(value: String($0.id.rawValue), label: $0.name, selected: who == String($0.id.rawValue))
            }
        }
        let kinds =
            [WebOption(value: "", label: t["anyKind"] ?? "", selected: filter.kind == nil)]
            + DealTask.Kind.allCases.map { WebOption(value: $0.rawValue, label: t["taskKind." + $0.rawValue] ?? "", selected: $0 == filter.kind) }
        let pipelineOptions =
            [WebOption(value: "", label: t["anyPipeline"] ?? "", selected: filter.pipeline == nil)]
            + visible.map { WebOption(value: $0.key.rawValue, label: viewer.text($0.name), selected: $0.key == filter.pipeline) }
        let kept = ["who": viewer.leadsTeam ? who : nil, "pipeline": filter.pipeline?.rawValue, "kind": filter.kind?.rawValue]
        return TasksPage(
            groups: groups, empty: groups.isEmpty, leads: viewer.leadsTeam, people: people, pipelines: pipelineOptions, kinds: kinds,
            query: kept.compactMap { k, v in v.map { "\(k)=\(Web.encode($0))" } }.sorted().joined(separator: "&"),
            truncated: tasks.count >= limit, zone: "\(zone.rawValue) (UTC\(zone.offsetText(at: now)))",
            suggestedUntil: zone.local(viewer.morning(after: now)).inputText)
    }
}
