import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import HTTPTypes
import Hummingbird

/// Pipeline access for admins as one matrix, users × pipelines: each cell chooses a grant level, or "by role" (no
/// grant set, the role's default applies). One form; each cell carries the value it was shown with, so only the cells
/// the admin changed are saved, through `AuthService.setGrants` (the API's and the command line's path, audited).
/// Admins are not rows: they have every pipeline whatever is set.
struct GrantsPage {
    struct Cell {
        let name: String
        let original: String
        let options: [WebOption]
    }
    struct Row {
        let id: Int64
        let name: String
        let role: String
        let cells: [Cell]
    }
    struct Column {
        let key: String
        let name: String
    }
    let columns: [Column]
    let rows: [Row]
    let notice: String?

    static let levels: [GrantLevel] = [.none, .own, .readAll, .writeAll]

    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        router.get("/grants") { request, context -> Response in
            guard let viewer = try await SettingsPage.admin(request, context, services) else {
                return try await SettingsPage.refuse(request, context, services, renderer)
            }
            let saved = try Web.integer(Web.query(request)["saved"], "saved", in: 0...100_000, default: -1)
            let t = WebText.labels(viewer.locale)
            let notice = saved < 0 ? nil : (saved == 0 ? t["grantsNothing"] : t["grantsSaved"])
            return renderer.page(
                "grants", try await build(viewer, services, notice: notice), title: t["peopleGrants"] ?? "", viewer: viewer)
        }
        router.post("/grants") { request, context -> Response in
            guard let viewer = try await SettingsPage.admin(request, context, services) else {
                return try await SettingsPage.refuse(request, context, services, renderer)
            }
            let form = try await viewer.form(request, limit: 1024 * 1024)
            let changes = try changes(form)
            do {
                for (user, cells) in changes.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                    var grants = try await services.store.read { s in try await s.grants(user: user) }
                    for (pipeline, level) in cells { grants[pipeline] = level }
                    _ = try await services.auth.setGrants(user, grants, by: viewer.caller)
                }
            } catch AppError.refused(let problems) {
                return renderer.page(
                    "grants", try await build(viewer, services, notice: nil),
                    title: viewer.text(.init(ru: "Доступ к воронкам", en: "Pipeline access")),
                    viewer: viewer, status: .unprocessableContent, problems: problems, errorsID: "grants-errors")
            }
            return Pages.redirect("/grants?saved=\(changes.values.reduce(0) { $0 + $1.count })")
        }
    }

    /// The cells whose value differs from the one the page showed, per user: a level, or nil for "by role".
    static func changes(_ form: [String: String]) throws -> [UserID: [PipelineKey: GrantLevel?]] {
        var out: [UserID: [PipelineKey: GrantLevel?]] = [:]
        for (name, value) in form where name.hasPrefix("g.") {
            let parts = name.dropFirst(2).split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, let id = Int64(parts[0]), id > 0, parts[1].isValidKey else { throw bad(name) }
            guard value != form["o." + name.dropFirst(2)] else { continue }
            let level: GrantLevel?
            if value.isEmpty {
                level = nil
            } else {
                guard let parsed = GrantLevel(rawValue: value) else { throw bad(name) }
                level = parsed
            }
            out[UserID(id), default: [:]][PipelineKey(parts[1])] = .some(level)
        }
        return out
    }

    static func bad(_ name: String) -> AppError {
        AppError.badRequest("Bad cell \(String(name.prefix(80)))", [])
    }

    static func build(_ viewer: WebViewer, _ services: AppServices, notice: String?) async throws -> GrantsPage {
        let t = WebText.labels(viewer.locale)
        let (pipelines, users, grants) = try await services.store.read { s in
            let users = try await s.users().filter { $0.role != .admin }
            var grants: [UserID: [PipelineKey: GrantLevel]] = [:]
            for user in users { grants[user.id] = try await s.grants(user: user.id) }
            return (try await s.pipelines(), users, grants)
        }
        let rows = users.map { user in
            Row(
                id: user.id.rawValue, name: user.name, role: PeoplePage.label(user.role, viewer),
                cells: pipelines.map { p in
                    let set = grants[user.id]?[p.key]
                    let byRole = "\(t["grantDefault"] ?? "") (\(t["grant.\(user.role.defaultGrant.rawValue)"] ?? ""))"
                    return Cell(
                        name: "\(user.id.rawValue).\(p.key.rawValue)", original: set?.rawValue ?? "",
                        options: [WebOption(value: "", label: byRole, selected: set == nil)]
                            + levels.map { WebOption(value: $0.rawValue, label: t["grant.\($0.rawValue)"] ?? $0.rawValue, selected: $0 == set) })
                })
        }
        return GrantsPage(
            columns: pipelines.map { Column(key: $0.key.rawValue, name: viewer.text($0.name)) }, rows: rows, notice: notice)
    }
}
