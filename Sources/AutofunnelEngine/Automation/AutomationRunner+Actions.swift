import AutofunnelCore
import AutofunnelStore

/// The actions of a rule, each applied in the transaction of the event that fired it.
extension AutomationRunner {
    func apply(
        _ action: AutomationRule.Action, rule: String, deal id: DealID, pipeline: Pipeline, session s: StoreSession, now: Timestamp,
        cascade: inout AutomationCascade
    ) async throws {
        let robot = Actor(kind: .automation)
        var next = cascade
        next.depth += 1
        defer {
            cascade.catalog = next.catalog
            cascade.pipelines = next.pipelines
            cascade.touched = cascade.touched || next.touched
        }
        switch action {
        case .move(let stage):
            try await deals.transitionIn(s, id, .move(to: stage, lossComment: nil), cause: "rule \(rule)", now: now, cascade: &next)
        case .closeWon:
            try await deals.transitionIn(s, id, .move(to: pipeline.wonStage.key, lossComment: nil), cause: "rule \(rule)", now: now, cascade: &next)
        case .closeLost(let reason, let comment):
            try await deals.transitionIn(s, id, .move(to: reason, lossComment: comment), cause: "rule \(rule)", now: now, cascade: &next)
        case .setField(let field, let value):
            let input = try Self.input(setting: field, to: value)
            try await deals.updateIn(s, id, input: input, actor: robot, now: now, cascade: &next)
        case .setResponsible(let choice):
            let deal = try await s.deal(id)
            let user: UserID?
            switch choice {
            case .headOfSales: user = deal.headOfSales
            case .user(let email): user = try await s.user(email: email)?.id
            case .roundRobin(let emails):
                let key = "round_robin:\(pipeline.key):\(rule)"
                if let position = Automation.roundRobinPosition(after: try await s.automationState(key), count: emails.count) {
                    try await s.setAutomationState(key, String(position))
                    user = try await s.user(email: emails[position])?.id
                } else {
                    user = nil
                }
            }
            guard let user else {
                throw AppError.refused([
                    .init(
                        rule: .unknownReference, field: "responsibleId",
                        message: .init(ru: "Некого назначить ответственным", en: "No user to make responsible"))
                ])
            }
            try await deals.updateIn(s, id, input: DealInput(responsible: .init(user.rawValue)), actor: robot, now: now, cascade: &next)
        case .createTask(let title, let text, let due, let assignee):
            let snapshot = try await s.dealSnapshot(id)
            let deal = snapshot.deal
            _ = try await s.insertTask(
                DealTask(
                    id: TaskID(0), deal: id, title: try await render(title, snapshot, session: s, cascade: &next),
                    text: try await text.asyncMap { try await render($0, snapshot, session: s, cascade: &next) },
                    assignee: assignee == .headOfSales ? deal.headOfSales : deal.responsible, creator: deal.headOfSales, stage: deal.stage,
                    rule: rule,
                    dueAt: pipeline.due(after: due, from: now), createdAt: now))
            try await s.appendTimeline([TimelineEntry(deal: id, at: now, kind: "task", field: rule, text: title, actor: robot)])
        case .callWebhook(let endpoint):
            let deal = try await s.deal(id)
            let type = "automation.\(rule)"
            try await s.enqueue(
                type: type, payload: Webhooks.payload(type: type, at: now, data: Webhooks.dealData(deal)), id: { _ in Webhooks.messageID() }, at: now,
                only: endpoint)
        case .sendMessage(let channel, let to, let subject, let text):
            try await sendMessage(channel: channel, to: to, subject: subject, text: text, rule: rule, deal: id, session: s, now: now, cascade: &next)
        case .callAndWait(let endpoint, let wait, let branches):
            try await callAndWait(endpoint: endpoint, wait: wait, branches: branches, rule: rule, deal: id, session: s, now: now)
        case .openDeal(let target, let stage, let title):
            try await openFollowUp(target, stage: stage, title: title, rule: rule, deal: id, session: s, now: now, cascade: &next)
        case .renderDocument(let name, let template):
            try await renderDocument(name: name, template: template, rule: rule, deal: id, session: s, now: now, cascade: &next)
        case .addTag(let tag):
            // Adding a tag the deal carries changes nothing: the action applied twice leaves one tag.
            try await TagService.add([tag], to: .deal, id: id.rawValue, s, now: now, actor: robot)
        case .removeTag(let tag):
            try await TagService.remove([tag.key], from: .deal, id: id.rawValue, s, now: now, actor: robot)
        case .copyToPipeline(let target, let stage):
            let deal = try await s.deal(id, forUpdate: true)
            _ = try await deals.copyIn(s, deal, to: target, stage: stage, actor: robot, now: now, cascade: &next)
        }
    }

    /// A deal input that sets one built-in attribute or custom field.
    static func input(setting field: String, to value: JSONValue?) throws -> DealInput {
        func number() -> Int64? { if case .number(let n)? = value { Int64(exactly: n) } else { nil } }
        func text() -> String? { if case .string(let t)? = value { t } else { nil } }
        switch field {
        case "title": return DealInput(title: text())
        case "source": return DealInput(source: text() ?? "")
        case "responsibleId": return DealInput(responsible: number().map { .init($0) })
        case "headOfSalesId": return DealInput(headOfSales: number().map { .init($0) })
        case "contactId": return DealInput(contact: number().map { .init($0) })
        case "companyId": return DealInput(company: number().map { .init($0) })
        case "amount", "currency":
            guard case .object(let o)? = value, case .string(let v)? = o["value"], case .string(let c)? = o["currency"] else {
                throw AppError.refused([
                    .init(rule: .invalidValue, field: "amount", message: .init(ru: "Сумма: {value, currency}", en: "An amount is {value, currency}"))
                ])
            }
            return DealInput(amount: .init(value: v, currency: c))
        default: return DealInput(fields: [field: value ?? .null])
        }
    }
}
