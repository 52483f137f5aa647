import AutofunnelCore
import AutofunnelStore
import Foundation

/// The rule actions that reach outside the deal: messages through channels, calls that wait for an answer, follow-up
/// deals and rendered documents. Outside effects go to the outbox in the rule's transaction.
extension AutomationRunner {
    /// A template over the deal, its contact and company, with the responsible's and head of sales' names. Rules
    /// render as the automation: every value, whoever reads the message, task or document later.
    func render(_ template: String, _ snapshot: DealSnapshot, session s: StoreSession, cascade: inout AutomationCascade, html: Bool = false)
        async throws
        -> String
    {
        let catalog = try await cascade.catalog(s)
        var names: [UserID: String] = [:]
        if TaskTemplate.mentionsUsers(template) {
            for user in Set([snapshot.deal.responsible, snapshot.deal.headOfSales].compactMap { $0 }) { names[user] = try? await s.user(user).name }
        }
        return TaskTemplate.render(template, snapshot, as: .automation(catalog), users: names, html: html)
    }

    static func refusal(_ field: String, ru: String, en: String) -> AppError {
        .refused([Violation(rule: .unknownReference, field: field, message: .init(ru: ru, en: en))])
    }

    /// Puts a message for the contact (or a user) in the outbox of a channel; an unsubscribed contact gets nothing.
    func sendMessage(
        channel name: String, to recipient: AutomationRule.Recipient, subject: String?, text: String, rule: String, deal id: DealID,
        session s: StoreSession, now: Timestamp, cascade: inout AutomationCascade
    ) async throws {
        guard let channel = try await s.endpoint(named: name), channel.kind != .webhook else {
            throw Self.refusal("channel", ru: "Нет канала «\(name)»", en: "No channel '\(name)'")
        }
        let snapshot = try await s.dealSnapshot(id)
        let robot = Actor(kind: .automation)
        let address: String?
        switch recipient {
        case .contact:
            guard let contact = snapshot.contact else { throw Self.refusal("contactId", ru: "У сделки нет контакта", en: "The deal has no contact") }
            if try await s.isUnsubscribed(contact: contact.id, channel: name) {
                try await s.appendTimeline([
                    TimelineEntry(
                        deal: id, at: now, kind: "message_skipped", field: rule, text: "The contact unsubscribed from \(name)", actor: robot)
                ])
                return
            }
            address = channel.kind == .email ? contact.emails.first : contact.phones.first
        case .responsible, .headOfSales:
            let user = recipient == .responsible ? snapshot.deal.responsible : snapshot.deal.headOfSales
            address = channel.kind == .email ? try await user.asyncMap { try await s.user($0).email } : nil
        }
        guard let address else {
            throw Self.refusal("to", ru: "Нет адреса для канала «\(name)»", en: "No address for \(recipient.rawValue) on channel '\(name)'")
        }
        let body = try await render(text, snapshot, session: s, cascade: &cascade)
        var data: [String: Any] = ["to": address, "text": body, "dealId": id.rawValue, "channel": name]
        if let subject { data["subject"] = try await render(subject, snapshot, session: s, cascade: &cascade) }
        if let contact = snapshot.contact { data["contactId"] = contact.id.rawValue }
        let type = "message.\(channel.kind.rawValue)"
        try await s.enqueue(
            type: type, payload: Webhooks.payload(type: type, at: now, data: data), id: Webhooks.messageID(), endpoint: channel.id, at: now)
        try await s.appendTimeline([
            TimelineEntry(deal: id, at: now, kind: "message_out", field: rule, text: "\(name) → \(address): \(body)", actor: robot)
        ])
    }

    /// Posts the deal to an outside system with a callback URL and leaves it waiting in its stage until the answer or
    /// the deadline.
    func callAndWait(
        endpoint name: String, wait: StageDuration, branches: AutomationRule.WaitBranches, rule: String, deal id: DealID, session s: StoreSession,
        now: Timestamp
    ) async throws {
        guard let endpoint = try await s.endpoint(named: name), endpoint.kind == .webhook, endpoint.active else {
            throw Self.refusal("endpoint", ru: "Нет вебхука «\(name)»", en: "No active webhook endpoint '\(name)'")
        }
        let deal = try await s.deal(id)
        let token = "cb_" + Secrets.base64URL(bytes: 24)
        let deadline = now.adding(millis: wait.millis)
        try await s.insertWait(
            CallWait(
                token: token, deal: id, stage: deal.stage, rule: rule, endpoint: endpoint.id, branches: branches, deadline: deadline, createdAt: now))
        bell.ring()
        var data = Webhooks.dealData(deal)
        data["fields"] = deal.fields.reduce(into: [String: Any]()) { $0[$1.key.rawValue] = Webhooks.foundation($1.value) }
        data["callback"] = [
            "url": deals.publicURL + "/api/v1/callbacks/" + token, "token": token, "expiresAt": Webhooks.iso(deadline),
            "answers": ["approved", "rejected"],
        ]
        let type = "automation.\(rule).call"
        try await s.enqueue(
            type: type, payload: Webhooks.payload(type: type, at: now, data: data), id: Webhooks.messageID(), endpoint: endpoint.id, at: now)
        try await s.appendTimeline([
            TimelineEntry(
                deal: id, at: now, kind: "call_out", field: rule, text: "Waiting for \(name) until \(Webhooks.iso(deadline))",
                actor: Actor(kind: .automation))
        ])
    }

    /// A new deal for the same contact and company in a pipeline, the regular-customers cycle; this deal is untouched.
    func openFollowUp(
        _ target: PipelineKey, stage: StageKey?, title: String?, rule: String, deal id: DealID, session s: StoreSession, now: Timestamp,
        cascade: inout AutomationCascade
    ) async throws {
        let snapshot = try await s.dealSnapshot(id)
        let deal = snapshot.deal
        let name = try await title.asyncMap { try await render($0, snapshot, session: s, cascade: &cascade) } ?? deal.title
        let input = DealInput(
            title: name, responsible: deal.responsible.map { .init($0.rawValue) }, headOfSales: deal.headOfSales.map { .init($0.rawValue) },
            contact: deal.contact.map { .init($0.rawValue) }, company: deal.company.map { .init($0.rawValue) }, source: "follow_up")
        let robot = Actor(kind: .automation)
        let opened = try await deals.createIn(
            s, pipeline: target, stage: stage, input: input, actor: robot, principal: nil, now: now, cascade: &cascade)
        try await s.appendTimeline([
            TimelineEntry(deal: id, at: now, kind: "follow_up", field: rule, text: "Follow-up deal \(opened.id) in \(target)", actor: robot)
        ])
    }

    /// Renders a document from an HTML template (values escaped) and attaches it to the deal.
    func renderDocument(
        name: String, template: String, rule: String, deal id: DealID, session s: StoreSession, now: Timestamp, cascade: inout AutomationCascade
    )
        async throws
    {
        let snapshot = try await s.dealSnapshot(id)
        let title = try await render(name, snapshot, session: s, cascade: &cascade)
        let html = try await render(template, snapshot, session: s, cascade: &cascade, html: true)
        let document = try await s.insertDocument(deal: id, name: title, contentType: "text/html; charset=utf-8", body: html, rule: rule, at: now)
        try await s.appendTimeline([
            TimelineEntry(deal: id, at: now, kind: "document", field: rule, text: "\(document.id): \(title)", actor: Actor(kind: .automation))
        ])
    }
}
