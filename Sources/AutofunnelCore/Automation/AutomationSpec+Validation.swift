extension AutomationSpec {
    /// Built-in deal attributes a rule may read or set, besides the deal's custom fields.
    public static let builtinFields: Set<String> = [
        "title", "amount", "currency", "source", "responsibleId", "headOfSalesId", "contactId", "companyId",
    ]
    /// Attributes conditions may read but actions may not set (stages change through moves).
    public static let readOnlyFields: Set<String> = ["stage", "status"]

    /// The rule, or every problem with a path into the file. `pipeline` holds the stages the rule refers to.
    func validated(path: String, stages: [Stage], catalog: FieldCatalog) -> Result<AutomationRule, Refusal> {
        var problems: [Violation] = []
        func problem(_ at: String, _ ru: String, _ en: String) {
            problems.append(Violation(rule: .invalidDefinition, field: path + at, message: .init(ru: ru, en: en)))
        }
        func stage(_ text: String?, _ at: String, lostOnly: Bool = false, openOnly: Bool = false) -> StageKey {
            guard let text, let s = stages.first(where: { $0.key.rawValue == text }) else {
                problem(at, "Нет этапа «\(text ?? "")»", "No stage '\(text ?? "")' in this pipeline")
                return StageKey(text ?? "")
            }
            if lostOnly && s.outcome != .lost { problem(at, "«\(text)» — не этап отказа", "'\(text)' is not a lost stage") }
            if openOnly && s.isClosing { problem(at, "«\(text)» — закрывающий этап", "'\(text)' is a closing stage") }
            return s.key
        }
        func field(_ text: String?, _ at: String, reading: Bool = false) -> String {
            let known = Self.builtinFields.contains(text ?? "") || (reading && Self.readOnlyFields.contains(text ?? ""))
            guard let text, known || catalog.definition(.deal, FieldKey(text)) != nil else {
                problem(at, "Нет поля сделки «\(text ?? "")»", "No deal field '\(text ?? "")'")
                return text ?? ""
            }
            return text
        }
        func duration(_ text: String?, _ at: String) -> StageDuration {
            guard let text, let d = StageDuration(text) else {
                problem(at, "Срок «\(text ?? "")» пишется как 30s, 90m, 48h или 3d", "A duration looks like 30s, 90m, 48h or 3d, not '\(text ?? "")'")
                return StageDuration("1d")!
            }
            return d
        }
        if !key.isValidKey { problem(".key", "Ключ правила «\(key)» — a-z, 0-9, _", "Rule key '\(key)' must use a-z, 0-9 and _") }

        let trigger: AutomationRule.Trigger
        switch self.trigger.on {
        case "deal_created": trigger = .dealCreated
        case "stage_entered": trigger = .stageEntered(stage(self.trigger.stage, ".trigger.stage"))
        case "stage_left": trigger = .stageLeft(stage(self.trigger.stage, ".trigger.stage", openOnly: true))
        case "field_changed": trigger = .fieldChanged(field(self.trigger.field, ".trigger.field"), to: self.trigger.to)
        case "time_in_stage":
            trigger = .timeInStage(stage(self.trigger.stage, ".trigger.stage", openOnly: true), after: duration(self.trigger.after, ".trigger.after"))
        case "task_completed": trigger = .taskCompleted(rule: self.trigger.rule)
        case "stage_timeout": trigger = .stageTimeout
        case "task_overdue": trigger = .taskOverdue
        case "lead_captured": trigger = .leadCaptured(source: self.trigger.source)
        case "message_received":
            let text = self.trigger.text?.trimmed.lowercased()
            trigger = .messageReceived(channel: self.trigger.channel, text: text?.isEmpty == true ? nil : text)
        case "date_reached":
            let name = field(self.trigger.field, ".trigger.field")
            if let definition = catalog.definition(.deal, FieldKey(name)), definition.type != .date, definition.type != .datetime {
                problem(".trigger.field", "«\(name)» — не поле даты", "'\(name)' is not a date or date-time field")
            } else if Self.builtinFields.contains(name) {
                problem(".trigger.field", "«\(name)» — не поле даты", "'\(name)' is not a date or date-time field")
            }
            var offset: Int64 = 0
            if let text = self.trigger.offset?.trimmed, text != "0" {
                let negative = text.hasPrefix("-")
                let magnitude = duration(String(text.drop { $0 == "-" || $0 == "+" }), ".trigger.offset").millis
                offset = negative ? -magnitude : magnitude
            }
            trigger = .dateReached(field: name, offsetMillis: offset)
        case "callback_received":
            let result = self.trigger.result
            if let result, !["approved", "rejected", "timeout"].contains(result) {
                problem(".trigger.result", "Ответ: approved, rejected или timeout", "result is approved, rejected or timeout")
            }
            trigger = .callbackReceived(rule: self.trigger.rule, result: result)
        default:
            problem(
                ".trigger.on", "Неизвестный триггер «\(self.trigger.on)»",
                "Unknown trigger '\(self.trigger.on)'; use deal_created, stage_entered, stage_left, field_changed, time_in_stage, stage_timeout, task_completed, task_overdue, lead_captured, message_received, date_reached or callback_received"
            )
            trigger = .dealCreated
        }

        func condition(_ c: ConditionSpec, _ at: String) -> AutomationRule.Condition {
            if let any = c.any { return .any(any.enumerated().map { condition($1, "\(at).any[\($0)]") }) }
            if let all = c.all { return .all(all.enumerated().map { condition($1, "\(at).all[\($0)]") }) }
            if let name = c.hasTag {
                switch Tag.parse(name) {
                case .success(let tag): return .hasTag(tag.key)
                case .failure(let v): problem(at + ".has_tag", v.message.ru, v.message.en)
                }
                return .all([])
            }
            let name = field(c.field, at + ".field", reading: true)
            if let v = c.equals { return .equals(name, v) }
            if let v = c.in { return .oneOf(name, v) }
            if let v = c.greater { return .greater(name, v) }
            if let v = c.less { return .less(name, v) }
            if let v = c.empty { return .empty(name, v) }
            if let v = c.contains { return .contains(name, v) }
            problem(at, "Условие без проверки", "A condition needs equals, in, greater, less, empty, contains or has_tag")
            return .all([])
        }
        let conditions = (when ?? []).enumerated().map { condition($1, ".when[\($0)]") }

        var actions: [AutomationRule.Action] = []
        if self.actions.isEmpty { problem(".actions", "Правилу нужно хотя бы одно действие", "A rule needs at least one action") }
        for (i, a) in self.actions.enumerated() {
            let at = ".actions[\(i)]"
            switch a.do {
            case "move": actions.append(.move(stage(a.stage, at + ".stage", openOnly: true)))
            case "set_field": actions.append(.setField(field(a.field, at + ".field"), a.value == .null ? nil : a.value))
            case "set_responsible":
                if let users = a.users, !users.isEmpty {
                    actions.append(.setResponsible(.roundRobin(users.map { $0.lowercased() })))
                } else if a.user == "head_of_sales" {
                    actions.append(.setResponsible(.headOfSales))
                } else if let email = a.user.flatMap(EmailAddress.normalize) {
                    actions.append(.setResponsible(.user(email: email)))
                } else {
                    problem(
                        at + ".user", "Нужен e-mail, head_of_sales или список users", "Give a user's e-mail, head_of_sales, or users for round-robin")
                }
            case "create_task":
                let title = (a.title ?? "").trimmed
                if title.isEmpty { problem(at + ".title", "У задачи нет названия", "A task needs a title") }
                let assignee = AutomationRule.Assignee(rawValue: a.assignee ?? "responsible")
                if assignee == nil {
                    problem(at + ".assignee", "Исполнитель: responsible или head_of_sales", "assignee is responsible or head_of_sales")
                }
                actions.append(.createTask(title: title, text: a.text, due: duration(a.due ?? "1d", at + ".due"), assignee: assignee ?? .responsible))
            case "close_won": actions.append(.closeWon)
            case "close_lost": actions.append(.closeLost(reason: stage(a.reason, at + ".reason", lostOnly: true), comment: a.comment))
            case "copy_to_pipeline":
                guard let p = a.pipeline, p.isValidKey else {
                    problem(at + ".pipeline", "Нужен ключ воронки", "Give the target pipeline's key")
                    continue
                }
                actions.append(.copyToPipeline(PipelineKey(p), stage: a.stage.map(StageKey.init(rawValue:))))
            case "call_webhook":
                guard let name = a.endpoint, !name.isEmpty else {
                    problem(at + ".endpoint", "Нужно имя вебхука", "Give the webhook endpoint's name")
                    continue
                }
                actions.append(.callWebhook(endpoint: name))
            case "send_message":
                let recipient = AutomationRule.Recipient(rawValue: a.to ?? "contact")
                if recipient == nil {
                    problem(at + ".to", "Кому: contact, responsible или head_of_sales", "to is contact, responsible or head_of_sales")
                }
                let text = (a.text ?? "").trimmed
                if text.isEmpty { problem(at + ".text", "У сообщения нет текста", "A message needs a text") }
                guard let channel = a.channel, !channel.isEmpty else {
                    problem(at + ".channel", "Нужно имя канала", "Give the channel's name")
                    continue
                }
                actions.append(.sendMessage(channel: channel, to: recipient ?? .contact, subject: a.subject, text: text))
            case "call_and_wait":
                let wait = duration(a.wait ?? "1d", at + ".wait")
                let branches = AutomationRule.WaitBranches(
                    approved: a.approved.map { stage($0, at + ".approved") }, rejected: a.rejected.map { stage($0, at + ".rejected") },
                    timeout: a.timeout.map { stage($0, at + ".timeout") })
                guard let name = a.endpoint, !name.isEmpty else {
                    problem(at + ".endpoint", "Нужно имя внешней системы (вебхука)", "Give the outside system's webhook endpoint name")
                    continue
                }
                actions.append(.callAndWait(endpoint: name, wait: wait, branches: branches))
            case "open_deal":
                guard let p = a.pipeline, p.isValidKey else {
                    problem(at + ".pipeline", "Нужен ключ воронки", "Give the pipeline's key for the new deal")
                    continue
                }
                actions.append(.openDeal(PipelineKey(p), stage: a.stage.map(StageKey.init(rawValue:)), title: a.title))
            case "render_document":
                let name = (a.name ?? "").trimmed
                if name.isEmpty { problem(at + ".name", "У документа нет имени", "A document needs a name") }
                let template = a.template ?? ""
                if template.trimmed.isEmpty { problem(at + ".template", "Нет шаблона документа", "A document needs an HTML template") }
                actions.append(.renderDocument(name: name, template: template))
            case "add_tag", "remove_tag":
                switch Tag.parse(a.tag ?? "") {
                case .success(let tag): actions.append(a.do == "add_tag" ? .addTag(tag) : .removeTag(tag))
                case .failure(let v): problem(at + ".tag", v.message.ru, v.message.en)
                }
            default:
                problem(
                    at + ".do", "Неизвестное действие «\(a.do)»",
                    "Unknown action '\(a.do)'; use move, set_field, set_responsible, create_task, close_won, close_lost, copy_to_pipeline, call_webhook, send_message, call_and_wait, open_deal, render_document, add_tag or remove_tag"
                )
            }
        }
        guard problems.isEmpty else { return .failure(Refusal(problems)) }
        return .success(AutomationRule(key: key, trigger: trigger, condition: .all(conditions), actions: actions, spec: self))
    }
}
