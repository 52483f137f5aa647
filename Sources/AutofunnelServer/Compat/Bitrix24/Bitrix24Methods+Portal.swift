import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// The calls integrations make first to learn where they are: `user.current`, `user.get`, `profile`, `scope` and
/// `methods`. Users are shown as the JSON API shows them to every signed-in user.
extension Bitrix24Methods {
    /// Every method this dialect serves, as `methods` lists them (the test holds the list to `call`).
    static let served = [
        "batch", "crm.activity.add", "crm.activity.get", "crm.activity.list", "crm.category.list", "crm.company.delete", "crm.contact.add",
        "crm.contact.delete", "crm.contact.get", "crm.contact.list", "crm.contact.update", "crm.deal.add", "crm.deal.delete", "crm.deal.fields",
        "crm.deal.get", "crm.deal.list", "crm.deal.update", "crm.dealcategory.list", "crm.dealcategory.stage.list", "crm.stagehistory.list",
        "crm.status.list",
        "methods", "profile", "scope", "tasks.task.add", "tasks.task.complete", "tasks.task.get", "tasks.task.list", "user.current", "user.get",
    ]

    /// Methods that only read, beyond those named `*.list`, `*.get` and `*.fields`: a read-scope token may call them.
    static let readOnly: Set<String> = ["user.current", "profile", "scope", "methods"]

    /// The scopes of those methods, as `scope` answers.
    static let scopes = ["crm", "task", "user"]

    /// A user as Bitrix24's `user.get` writes one: texts, `ACTIVE` a boolean, the name split at its first space.
    static func userRow(_ u: User) -> JSONValue {
        let parts = u.name.split(separator: " ", maxSplits: 1).map(String.init)
        return .object([
            "ID": .string(String(u.id.rawValue)), "ACTIVE": .bool(u.active), "EMAIL": .string(u.email), "NAME": .string(parts.first ?? ""),
            "LAST_NAME": .string(parts.count > 1 ? parts[1] : ""), "SECOND_NAME": .string(""), "WORK_POSITION": .string(u.role.rawValue),
            "UF_DEPARTMENT": .array([]), "IS_ONLINE": .string("N"), "USER_TYPE": .string("employee"),
            "TIME_ZONE": .string(u.timeZone?.rawValue ?? ""),
        ])
    }

    func userCurrent() async throws -> Bitrix24Reply {
        Bitrix24Reply(result: Self.userRow(try await store.read { s in try await s.user(principal.user.id) }))
    }

    /// `profile`: who calls, and whether they administer.
    func profile() async throws -> Bitrix24Reply {
        let u = try await store.read { s in try await s.user(principal.user.id) }
        guard case .object(var row) = Self.userRow(u) else { return Bitrix24Reply(result: .null) }
        row = row.filter { ["ID", "NAME", "LAST_NAME", "TIME_ZONE"].contains($0.key) }
        row["ADMIN"] = .bool(u.role == .admin)
        row["PERSONAL_GENDER"] = .string("")
        row["PERSONAL_PHOTO"] = .string("")
        return Bitrix24Reply(result: .object(row))
    }

    /// `user.get`: 50 a page by id, narrowed by `ID` (or `filter[ID]`, one or several), `filter[ACTIVE]` and
    /// `filter[EMAIL]`; other filter keys are refused.
    func userGet(_ p: JSONValue) async throws -> Bitrix24Reply {
        let (offset, counts) = Self.start(p)
        var ids: Set<Int64>?
        var active: Bool?
        var email: String?
        var filter = p[lenient: "filter"]?.lenientObject ?? [:]
        for (key, value) in p.lenientObject where key.uppercased() == "ID" || key.uppercased() == "ACTIVE" || key.uppercased() == "EMAIL" {
            filter[key] = value
        }
        for (key, value) in filter {
            let k = try Bitrix24Filter.Key(key, value, zone: services.auth.timeZone)
            switch k.field {
            case "ID": ids = Set(try k.numbers())
            case "ACTIVE": active = k.texts.first.map { JSONValue.string($0).lenientFlag }
            case "EMAIL": email = k.texts.first?.lowercased()
            default: throw k.refused("\(k.field) is not a field this server filters users on")
            }
        }
        let users = try await store.read { s in try await s.users() }.filter { u in
            (ids?.contains(u.id.rawValue) ?? true) && (active.map { $0 == u.active } ?? true) && (email.map { $0 == u.email } ?? true)
        }.sorted { $0.id.rawValue < $1.id.rawValue }
        let rows = users.dropFirst(offset).prefix(Self.pageSize).map(Self.userRow)
        return Self.page(Array(rows), offset: offset, total: counts ? users.count : nil)
    }
}
