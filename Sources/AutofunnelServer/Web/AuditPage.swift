import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import HTTPTypes
import Hummingbird

/// The audit log for admins: filters by who acted, the action and a period of days (UTC), newest first, a page of
/// `pageSize` lines with a link to older ones; `/audit.csv` downloads every line the same filters let through (at most
/// `csvLimit`).
struct AuditPage {
    struct Row {
        let seq: Int64
        let at: String
        let action: String
        let actor: String
        let subject: String
        let detail: String
        let ip: String
    }
    let rows: [Row]
    let actors: [WebOption]
    let actions: [WebOption]
    let from: String
    let until: String
    let older: String?
    let first: String?
    let csv: String

    static let pageSize = 50
    static let csvLimit = 100_000

    /// The filters of a page address.
    struct Query {
        var actor: Int64?
        var action: AuditEntry.Action?
        var from = ""
        var until = ""

        init(_ query: [String: String]) throws {
            let actor = try Web.integer(query["actor"], "actor", in: 1...Int(Int64(Int32.max)), default: 0)
            self.actor = actor > 0 ? Int64(actor) : nil
            if let text = query["action"], !text.isEmpty {
                guard let action = AuditEntry.Action(rawValue: text) else {
                    throw AppError.invalidParameter("action", ru: "Нет такого действия", en: "No such action")
                }
                self.action = action
            }
            from = try PartyListPage.Filters.date(query["from"], "from")
            until = try PartyListPage.Filters.date(query["until"], "until")
        }

        /// The filter, its days cut on the viewer's clock.
        func filter(_ zone: TimeZoneName) -> AuditFilter {
            func midnight(_ day: String) -> Timestamp? { LocalTime(inputText: day + "T00:00").flatMap(zone.moment) }
            return AuditFilter(
                action: action, actor: actor.map(UserID.init(rawValue:)), from: midnight(from),
                until: midnight(until).map { zone.startOfDay($0, days: 1) })
        }

        /// The query part of an address with these filters (and `before` when paging on).
        func href(_ path: String, before: Int64? = nil) -> String {
            var parts: [(String, String)] = [
                ("actor", actor.map(String.init) ?? ""), ("action", action?.rawValue ?? ""), ("from", from), ("until", until),
            ]
            if let before { parts.append(("before", String(before))) }
            let text = parts.filter { !$0.1.isEmpty }.map { "\($0.0)=\(Web.encode($0.1))" }.joined(separator: "&")
            return text.isEmpty ? path : "\(path)?\(text)"
        }
    }

    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        router.get("/audit") { request, context -> Response in
            guard let viewer = try await SettingsPage.admin(request, context, services) else {
                return try await SettingsPage.refuse(request, context, services, renderer)
            }
            let raw = Web.query(request)
            let query = try Query(raw)
            let before = try Web.integer(raw["before"], "before", in: 1...Int.max, default: 0)
            let (page, users) = try await services.store.read { s in
                (try await s.audit(before: before > 0 ? Int64(before) : nil, limit: pageSize, query.filter(viewer.zone)), try await s.users())
            }
            let names = Dictionary(uniqueKeysWithValues: users.map { ($0.id, $0.name) })
            let t = WebText.labels(viewer.locale)
            let result = AuditPage(
                rows: page.items.map { row($0, names, viewer) },
                actors: [WebOption(value: "", label: t["auditAnyone"] ?? "", selected: query.actor == nil)]
                    + users.map {
                        WebOption(value: String($0.id.rawValue), label: "\($0.name) <\($0.email)>", selected: $0.id.rawValue == query.actor)
                    },
                actions: [WebOption(value: "", label: t["auditAnyAction"] ?? "", selected: query.action == nil)]
                    + AuditEntry.Action.allCases.map { WebOption(value: $0.rawValue, label: $0.rawValue, selected: $0 == query.action) },
                from: query.from, until: query.until, older: page.nextAfter.map { query.href("/audit", before: $0) },
                first: before > 0 ? query.href("/audit") : nil, csv: query.href("/audit.csv"))
            return renderer.page("audit", result, title: t["peopleAudit"] ?? "", viewer: viewer)
        }
        router.get("/audit.csv") { request, context -> Response in
            guard let viewer = try await SettingsPage.admin(request, context, services) else {
                return try await SettingsPage.refuse(request, context, services, renderer)
            }
            let query = try Query(Web.query(request))
            let text = try await services.store.read { s in try await csv(query.filter(viewer.zone), s) }
            var headers = HTTPFields()
            headers[.contentType] = "text/csv; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"audit.csv\""
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(string: text)))
        }
    }

    static func row(_ e: AuditEntry, _ names: [UserID: String], _ viewer: WebViewer) -> Row {
        Row(
            seq: e.seq, at: viewer.time(e.at), action: e.action.rawValue, actor: e.actor.map { names[$0] ?? "#\($0.rawValue)" } ?? "—",
            subject: [e.subject.flatMap { names[$0] }, e.email].compactMap { $0 }.joined(separator: " · "), detail: e.detail ?? "", ip: e.ip ?? "")
    }

    /// The lines the filter lets through as CSV, newest first, read a thousand at a time.
    static func csv(_ filter: AuditFilter, _ s: StoreSession) async throws -> String {
        var text = CSVText.byteOrderMark + CSVText.line(["seq", "at", "action", "actor_id", "subject_user_id", "email", "ip", "detail"])
        var before: Int64? = nil
        var count = 0
        repeat {
            let page = try await s.audit(before: before, limit: 1000, filter)
            for e in page.items {
                text += CSVText.line([
                    String(e.seq), FieldInput.utc(e.at), e.action.rawValue, e.actor.map { String($0.rawValue) } ?? "",
                    e.subject.map { String($0.rawValue) } ?? "", e.email ?? "", e.ip ?? "", e.detail ?? "",
                ])
            }
            count += page.items.count
            before = page.nextAfter
        } while before != nil && count < csvLimit
        return text
    }
}
