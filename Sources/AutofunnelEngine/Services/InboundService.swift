import AutofunnelCore
import AutofunnelStore

/// Inbound lead capture: a site form or a call tracker posts a lead with its source's secret; the contact is found by
/// phone or e-mail or created, and a deal opens in the source's pipeline — unless the contact already has an open deal
/// there, which then gets the lead as a note (no duplicate deal). The `lead_captured` rules run in the same transaction.
public struct InboundService: Sendable {
    let store: Store
    let clock: AppClock
    let deals: DealService

    /// A lead as posted.
    public struct Lead: Sendable {
        public var name: String?
        public var phone: String?
        public var email: String?
        public var title: String?
        public var comment: String?
        public var fields: [String: JSONValue]?

        public init(
            name: String? = nil, phone: String? = nil, email: String? = nil, title: String? = nil, comment: String? = nil,
            fields: [String: JSONValue]? = nil
        ) {
            self.name = name
            self.phone = phone
            self.email = email
            self.title = title
            self.comment = comment
            self.fields = fields
        }
    }

    /// What capture did.
    public struct Captured: Sendable {
        public let deal: Deal
        public let contact: Contact
        /// The contact had an open deal in the pipeline: the lead became a note on it.
        public let duplicate: Bool
    }

    /// Checks the source's secret (an unknown source and a wrong secret answer alike), then captures the lead.
    public func capture(source key: String, secret: String, lead: Lead) async throws -> Captured {
        guard let source = try await store.read({ s in try await s.source(key) }), Secrets.equal(Secrets.hash(secret), source.secretHash) else {
            throw AppError.unauthenticated
        }
        var problems: [Violation] = []
        let phone = lead.phone.flatMap { $0.trimmed.isEmpty ? nil : $0 }.map { PhoneNumber.normalize($0) }
        let email = lead.email.flatMap { $0.trimmed.isEmpty ? nil : $0 }.map { EmailAddress.normalize($0) }
        if case .some(nil) = phone {
            problems.append(
                .init(
                    rule: .invalidValue, field: "phone", message: .init(ru: "Нужен телефон из 7–15 цифр", en: "Must be a phone number of 7–15 digits")
                ))
        }
        if case .some(nil) = email {
            problems.append(.init(rule: .invalidValue, field: "email", message: .init(ru: "Нужен адрес e-mail", en: "Must be an e-mail address")))
        }
        let name = lead.name?.trimmed ?? ""
        if name.isEmpty && phone == nil && email == nil {
            problems.append(
                .init(
                    rule: .requiredField, field: "name", message: .init(ru: "Нужны имя, телефон или e-mail", en: "Send a name, a phone or an e-mail"))
            )
        }
        for (field, text) in [("name", lead.name), ("title", lead.title), ("comment", lead.comment)] {
            if let text, let unstorable = UserText.unstorable(text, field: field) { problems.append(unstorable) }
        }
        guard problems.isEmpty else { throw AppError.refused(problems) }
        let now = clock.now()
        let actor = Actor(kind: .api)
        let summary = [lead.title, lead.comment, phone ?? nil, email ?? nil].compactMap { $0 }.joined(separator: " · ")
        return try await store.write { s in
            var contact = try await DuplicateMatcher.contacts(phones: [phone ?? nil].compactMap { $0 }, emails: [email ?? nil].compactMap { $0 }, s)
                .first
            if contact == nil {
                let label = name.isEmpty ? (phone ?? nil) ?? (email ?? nil) ?? "Лид" : name
                contact = try await s.insertContact(
                    Contact(
                        id: ContactID(0), name: String(label.prefix(200)), phones: [phone ?? nil].compactMap { $0 },
                        emails: [email ?? nil].compactMap { $0 }, createdAt: now))
            }
            guard let contact else { throw AppError.conflict("no contact") }
            if let open = try await s.openDeal(contact: contact.id, pipeline: source.pipeline) {
                let text = "Повторная заявка из \(key): \(summary)"
                _ = try await s.insertNote(deal: open.id, text: text, author: nil, at: now)
                try await s.appendTimeline([TimelineEntry(deal: open.id, at: now, kind: "note", text: text, actor: actor)])
                return Captured(deal: open, contact: contact, duplicate: true)
            }
            var cascade = AutomationCascade()
            let input = DealInput(
                title: String((lead.title?.trimmed.isEmpty == false ? lead.title! : "Заявка: \(contact.name)").prefix(500)),
                responsible: source.responsible, contact: contact.id, source: key, fields: lead.fields)
            let deal = try await deals.createIn(
                s, pipeline: source.pipeline, stage: source.stage, input: input, actor: actor, principal: nil, now: now, cascade: &cascade)
            if let comment = lead.comment, !comment.trimmed.isEmpty {
                _ = try await s.insertNote(deal: deal.id, text: comment, author: nil, at: now)
            }
            try await deals.automation.automate(
                [.leadCaptured(source: key)], deal: deal.id, cause: "deal:\(deal.id):lead", session: s, now: now, cascade: &cascade)
            return Captured(deal: try await s.deal(deal.id), contact: contact, duplicate: false)
        }
    }
}
