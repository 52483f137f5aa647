import AutofunnelCore
import AutofunnelStore

/// `tasks.task.add/get/complete/list`: our tasks always belong to a deal, named in `UF_CRM_TASK` as `D_<id>`.
extension Bitrix24Methods {
    /// The deal of `UF_CRM_TASK: ["D_12"]`.
    static func taskDeal(_ fields: JSONValue) -> DealID? {
        for item in fields[b24: "UF_CRM_TASK"]?.b24Items ?? [] {
            guard let text = item.b24Text?.uppercased(), text.hasPrefix("D_"), let id = Int64(text.dropFirst(2)) else { continue }
            return DealID(id)
        }
        return nil
    }

    func taskAdd(_ p: JSONValue) async throws -> Bitrix24Reply {
        let f = p[b24: "fields"] ?? .null
        guard let deal = Self.taskDeal(f) else {
            throw Bitrix24Error.invalid(
                russian ? "Задача привязывается к сделке: UF_CRM_TASK [\"D_<id>\"]" : "A task belongs to a deal: send UF_CRM_TASK [\"D_<id>\"]")
        }
        let due = f[b24: "DEADLINE"]?.b24Text.flatMap(Self.timestamp) ?? services.clock.now().adding(millis: 86_400_000)
        let task = try await services.deals.createTask(
            deal: deal, title: f[b24: "TITLE"]?.b24Text ?? "", text: f[b24: "DESCRIPTION"]?.b24Text, dueAt: due,
            assignee: f[b24: "RESPONSIBLE_ID"]?.b24Int.map { UserID($0) }, principal: principal)
        return Bitrix24Reply(result: .object(["task": Self.taskRow(task)]))
    }

    func taskGet(_ p: JSONValue) async throws -> Bitrix24Reply {
        let task = try await api.visibleTask(TaskID(try Self.id(p, "taskId")))
        return Bitrix24Reply(result: .object(["task": Self.taskRow(task)]))
    }

    func taskComplete(_ p: JSONValue) async throws -> Bitrix24Reply {
        let task = try await services.deals.completeTask(TaskID(try Self.id(p, "taskId")), principal: principal)
        return Bitrix24Reply(result: .object(["task": Self.taskRow(task)]))
    }

    /// Tasks of deals the caller may see, by id, narrowed by `filter[RESPONSIBLE_ID]`, `filter[STATUS]` (2 open,
    /// 5 done) and `filter[UF_CRM_TASK]`.
    func taskList(_ p: JSONValue) async throws -> Bitrix24Reply {
        let filter = p[b24: "filter"] ?? .null
        var f = TaskFilter()
        f.deal = Self.taskDeal(filter)
        f.assignee = filter[b24: "RESPONSIBLE_ID"]?.b24Int.map { UserID($0) }
        switch filter[b24: "STATUS"]?.b24Text ?? filter[b24: "REAL_STATUS"]?.b24Text {
        case "5": f.status = .done
        case "1", "2", "3": f.status = .open
        default: break
        }
        let (principal, filtered) = (self.principal, f)
        let tasks = try await api.visibleTasks(filtered, principal: principal, limit: 100_000).sorted { $0.id.rawValue < $1.id.rawValue }
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
