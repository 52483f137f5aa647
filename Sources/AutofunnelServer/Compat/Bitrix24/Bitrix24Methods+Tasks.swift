import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// `tasks.task.add/get/complete/list`: our tasks always belong to a deal, named in `UF_CRM_TASK` as `D_<id>`.
extension Bitrix24Methods {
    /// The deal of `UF_CRM_TASK: ["D_12"]`.
    static func taskDeal(_ fields: JSONValue) -> DealID? {
        for item in fields[lenient: "UF_CRM_TASK"]?.lenientItems ?? [] {
            guard let text = item.lenientText?.uppercased(), text.hasPrefix("D_"), let id = Int64(text.dropFirst(2)) else { continue }
            return DealID(id)
        }
        return nil
    }

    func taskAdd(_ p: JSONValue) async throws -> Bitrix24Reply {
        let f = p[lenient: "fields"] ?? .null
        guard let deal = Self.taskDeal(f) else {
            throw Bitrix24Error.invalid(
                russian ? "Задача привязывается к сделке: UF_CRM_TASK [\"D_<id>\"]" : "A task belongs to a deal: send UF_CRM_TASK [\"D_<id>\"]")
        }
        let due = f[lenient: "DEADLINE"]?.lenientText.flatMap(DialectMoment.parse) ?? services.clock.now().adding(millis: 86_400_000)
        let task = try await services.deals.createTask(
            deal: deal, title: f[lenient: "TITLE"]?.lenientText ?? "", text: f[lenient: "DESCRIPTION"]?.lenientText, dueAt: due,
            assignee: f[lenient: "RESPONSIBLE_ID"]?.lenientInt.map { UserID($0) }, principal: principal)
        return Bitrix24Reply(result: .object(["task": Self.taskRow(task)]))
    }

    func taskGet(_ p: JSONValue) async throws -> Bitrix24Reply {
        let task = try await access.task(TaskID(try Self.id(p, "taskId")))
        return Bitrix24Reply(result: .object(["task": Self.taskRow(task)]))
    }

    func taskComplete(_ p: JSONValue) async throws -> Bitrix24Reply {
        let task = try await services.deals.completeTask(TaskID(try Self.id(p, "taskId")), principal: principal)
        return Bitrix24Reply(result: .object(["task": Self.taskRow(task)]))
    }

    /// Tasks of deals the caller may see, by id, narrowed by `filter[RESPONSIBLE_ID]`, `filter[STATUS]` (2 open,
    /// 5 done) and `filter[UF_CRM_TASK]`.
    func taskList(_ p: JSONValue) async throws -> Bitrix24Reply {
        let filter = p[lenient: "filter"] ?? .null
        var f = TaskFilter()
        f.deal = Self.taskDeal(filter)
        f.assignee = filter[lenient: "RESPONSIBLE_ID"]?.lenientInt.map { UserID($0) }
        switch filter[lenient: "STATUS"]?.lenientText ?? filter[lenient: "REAL_STATUS"]?.lenientText {
        case "5": f.status = .done
        case "1", "2", "3": f.status = .open
        default: break
        }
        let filtered = f
        let tasks = try await access.tasks(filtered, limit: 100_000).sorted { $0.id.rawValue < $1.id.rawValue }
        let (offset, counts) = Self.start(p)
        let page = tasks.dropFirst(offset).prefix(Self.pageSize).map(Self.taskRow)
        var reply = Self.page(Array(page), offset: offset, total: counts ? tasks.count : nil)
        reply.result = .object(["tasks": reply.result])
        return reply
    }

    /// A task in Bitrix24's camelCase form; `status` 2 is pending, 5 completed, 7 closed when its stage was left.
    static func taskRow(_ t: DealTask) -> JSONValue {
        let status =
            switch t.status {
            case .open: "2"
            case .done: "5"
            case .closed: "7"
            }
        return .object([
            "id": .string(t.id.description), "title": .string(t.title), "description": .string(t.text ?? ""),
            "responsibleId": .string(t.assignee?.description ?? "0"), "createdBy": .string(t.creator?.description ?? "0"),
            "status": .string(status), "deadline": iso(t.dueAt), "createdDate": iso(t.createdAt), "closedDate": iso(t.completedAt),
            "ufCrmTask": .array([.string("D_\(t.deal)")]),
        ])
    }
}
