import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// `/tasks`: our tasks always belong to a deal, so a task is created on a lead (`entity_type: "leads"`); completing
/// one (`is_completed: true`, `result.text`) goes through `DealService`, the result becoming a note on the deal.
extension AmoCRMMethods {
    func taskCreate(_ body: JSONValue) async throws -> JSONValue {
        let items = try Self.items(body)
        var planned: [(String, DealID, String, Timestamp, UserID?, DealTask.Kind)] = []
        for (index, item) in items.enumerated() {
            let requestID = Self.requestID(item, index: index)
            try await forItem(requestID) {
                guard case .object = item else { throw AmoCRMError.invalid("Each item is an object") }
                let type = item[lenient: "entity_type"]?.lenientText ?? ""
                guard type == "leads", let deal = try AmoCRMLeadMapping.integer(item, "entity_id") else {
                    throw AmoCRMError.invalid(
                        russian
                            ? "Задача привязывается к сделке: entity_type \"leads\" и entity_id"
                            : "A task belongs to a lead: entity_type \"leads\" and entity_id",
                        path: "entity_id")
                }
                let due = try AmoCRMLeadMapping.integer(item, "complete_till").map { seconds in
                    guard let t = Timestamp(checkedSeconds: seconds) else {
                        throw AmoCRMError.invalid("complete_till is a time in seconds of years 1 to 9999", path: "complete_till")
                    }
                    return t
                }
                let title = try DealService.taskTitle(item[lenient: "text"]?.lenientText ?? "")
                planned.append(
                    (
                        requestID, DealID(deal), title, due ?? services.clock.now().adding(millis: 86_400_000),
                        try AmoCRMLeadMapping.integer(item, "responsible_user_id").map { UserID($0) },
                        Self.taskKind(try AmoCRMLeadMapping.integer(item, "task_type_id"))
                    ))
            }
        }
        let (plan, deals, principal, now) = (planned, services.deals, self.principal, services.clock.now())
        let created = try await store.write { s in
            var out: [(String, DealTask)] = []
            for (requestID, deal, title, due, assignee, kind) in plan {
                let task = try await forItem(requestID) {
                    try await deals.createTask(
                        in: s, deal: deal, title: title, text: nil, dueAt: due, assignee: assignee, principal: principal, now: now, kind: kind)
                }
                out.append((requestID, task))
            }
            return out
        }
        return savedReply("tasks", created.map { Self.savedRow($1.id.rawValue, requestID: $0, base: base + "/tasks") })
    }

    /// `PATCH /tasks/{id}` or a list: `is_completed: true` completes the task (with `result.text`).
    func taskUpdate(_ body: JSONValue, id pathID: Int64?) async throws -> JSONValue {
        if pathID != nil, case .array = body { throw AmoCRMError.invalid("PATCH /tasks/{id} takes one object") }
        var rows: [JSONValue] = []
        for (index, item) in try Self.items(body).enumerated() {
            let requestID = Self.requestID(item, index: index)
            let task = try await forItem(requestID) {
                guard let id = try pathID ?? AmoCRMLeadMapping.integer(item, "id") else { throw AmoCRMError.invalid("id is required", path: "id") }
                let current = try await access.task(TaskID(id))
                guard item[lenient: "is_completed"]?.lenientFlag == true, current.status == .open else { return current }
                let result = item[lenient: "result"]?[lenient: "text"]?.lenientText
                return try await services.deals.completeTask(current.id, result: result, principal: principal)
            }
            rows.append(Self.savedRow(task.id.rawValue, requestID: requestID, base: base + "/tasks", updatedAt: task.completedAt ?? task.createdAt))
        }
        return pathID == nil ? savedReply("tasks", rows) : rows[0]
    }

    func taskGet(_ id: Int64) async throws -> JSONValue? {
        do {
            return taskRow(try await access.task(TaskID(id)))
        } catch  where AppError.from(error).map(Self.isNotFound) == true {
            return nil
        }
    }

    /// Tasks of deals the caller may see, by id, narrowed by `filter[entity_id]` and `filter[responsible_user_id]` (one
    /// id or several), `filter[entity_type]` (`leads`) and `filter[is_completed]`; any other key is refused.
    func taskList() async throws -> JSONValue {
        let paging = try AmoCRMPaging(query)
        let filter = query["filter"] ?? .null
        var f = TaskFilter()
        var deals: Set<Int64>?
        var assignees: Set<Int64>?
        for (key, value) in filter.lenientObject {
            switch key.lowercased() {
            case "entity_id": deals = Set(try AmoCRMFilter.ids(key, value))
            case "responsible_user_id": assignees = Set(try AmoCRMFilter.ids(key, value))
            case "is_completed": f.status = value.lenientFlag ? .done : .open
            case "entity_type":
                guard value.lenientText?.lowercased() == "leads" else {
                    throw AmoCRMError.invalid("filter[entity_type]: tasks here belong to leads", path: "filter[entity_type]")
                }
            default: throw AmoCRMError.invalid("filter[\(key)] is not a filter this server applies", path: "filter[\(key)]")
            }
        }
        if let only = deals, only.count == 1 { f.deal = only.first.map { DealID($0) } }
        if let only = assignees, only.count == 1 { f.assignee = only.first.map { UserID($0) } }
        let (filtered, descending) = (f, AmoCRMFilter.descending(query))
        let found = try await access.tasks(filtered, limit: 100_000).filter { task in
            let inDeals = deals.map { $0.contains(task.deal.rawValue) } ?? true
            let byAssignee = assignees.map { set in task.assignee.map { set.contains($0.rawValue) } ?? false } ?? true
            return inDeals && byAssignee
        }.sorted { $0.id.rawValue < $1.id.rawValue }
        let tasks = descending ? Array(found.reversed()) : found
        let page = tasks.dropFirst(paging.offset).prefix(paging.limit).map(taskRow)
        return listReply("tasks", path: "/tasks", items: Array(page), paging: paging, more: tasks.count > paging.offset + paging.limit)
    }

    /// amoCRM's built-in task types: 1 «Связаться» (follow up: a call), 2 «Встреча» (a meeting); its custom types and
    /// none are plain tasks.
    static func taskKind(_ type: Int64?) -> DealTask.Kind {
        switch type {
        case 1?: .call
        case 2?: .meeting
        default: .task
        }
    }

    /// A task as amoCRM writes it: a meeting is type 2, anything else type 1 (amoCRM's default type).
    func taskRow(_ t: DealTask) -> JSONValue {
        .object([
            "id": .number(Double(t.id.rawValue)), "created_by": Self.number(t.creator), "updated_by": Self.number(t.creator),
            "created_at": Self.seconds(t.createdAt), "updated_at": Self.seconds(t.completedAt ?? t.createdAt),
            "responsible_user_id": Self.number(t.assignee), "group_id": .number(0), "entity_id": .number(Double(t.deal.rawValue)),
            "entity_type": .string("leads"), "duration": .number(0), "is_completed": .bool(t.status != .open),
            "task_type_id": .number(t.kind == .meeting ? 2 : 1),
            "text": .string(t.title), "result": t.status == .open ? .array([]) : .object([:]), "complete_till": Self.seconds(t.dueAt),
            "account_id": .number(Double(Self.accountID)), "_links": Self.selfLink("\(base)/tasks/\(t.id)"),
        ])
    }
}
