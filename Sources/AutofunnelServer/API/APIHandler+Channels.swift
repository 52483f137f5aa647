import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Foundation

extension APIHandler {
    func listChannels(_ input: Operations.listChannels.Input) async throws -> Operations.listChannels.Output {
        _ = try requireAdmin()
        let items = try await store.read { s in try await s.endpoints() }.filter { $0.kind != .webhook }
        return .ok(.init(body: .json(.init(items: items.map(SchemaMapping.channel)))))
    }

    func createChannel(_ input: Operations.createChannel.Input) async throws -> Operations.createChannel.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        _ = try requireAdmin()
        let kind: WebhookEndpoint.Kind = b.kind == .email ? .email : .messenger
        var problems: [Violation] = []
        if let refusal = services.webhookPolicy.refusal(b.url, schemes: kind == .email ? ["smtp"] : ["http", "https"]) {
            problems.append(
                .init(
                    rule: .invalidValue, field: "url", message: .init(ru: "Адрес не подходит: \(refusal)", en: "This URL cannot be used: \(refusal)"))
            )
        }
        let sender = b.sender.flatMap(EmailAddress.normalize)
        if kind == .email && sender == nil {
            problems.append(
                .init(
                    rule: .invalidValue, field: "sender",
                    message: .init(ru: "Нужен адрес отправителя", en: "An e-mail channel needs the sender's address")))
        }
        guard problems.isEmpty else { throw AppError.refused(problems) }
        let secret = WebhookSigner.newSecret()
        let now = services.clock.now()
        let channel = try await store.write { s in
            try await s.insertEndpoint(
                name: b.name, url: b.url, secret: secret, events: [], at: now, kind: kind, sender: sender, unsubscribeText: b.unsubscribeText?.trimmed
            )
        }
        return .created(.init(body: .json(.init(channel: SchemaMapping.channel(channel), secret: secret))))
    }

    /// The signed-request facts the middleware kept: the headers are the generated input's, the body is as sent.
    static func signed(id: String, timestamp: String, signature: String) -> AutomationRunner.Signed {
        AutomationRunner.Signed(id: id, timestamp: timestamp, signature: signature, body: Caller.facts?.rawBody ?? "")
    }

    func receiveChannelMessage(_ input: Operations.receiveChannelMessage.Input) async throws -> Operations.receiveChannelMessage.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        let h = input.headers
        let received = try await services.automation.receiveMessage(
            channel: input.path.name, from: b.from, text: b.text,
            signed: Self.signed(id: h.webhook_hyphen_id, timestamp: h.webhook_hyphen_timestamp, signature: h.webhook_hyphen_signature))
        return .ok(
            .init(
                body: .json(
                    .init(
                        contactId: received.contact?.rawValue, dealIds: received.deals.map(\.rawValue), unsubscribed: received.unsubscribed,
                        duplicate: received.duplicate))))
    }

    func answerCallback(_ input: Operations.answerCallback.Input) async throws -> Operations.answerCallback.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        let h = input.headers
        let result = try await services.automation.answer(
            token: input.path.token, approved: b.result == .approved, stage: b.stage.map(StageKey.init(rawValue:)),
            data: try SchemaMapping.values(b.data) ?? [:],
            signed: Self.signed(id: h.webhook_hyphen_id, timestamp: h.webhook_hyphen_timestamp, signature: h.webhook_hyphen_signature))
        return .ok(
            .init(
                body: .json(.init(status: result.status, applied: result.applied, dealId: result.deal.id.rawValue, stage: result.deal.stage.rawValue))
            ))
    }

    func listDealDocuments(_ input: Operations.listDealDocuments.Input) async throws -> Operations.listDealDocuments.Output {
        let items = try await store.read { s in
            let deal = try await visibleDeal(DealID(input.path.id), in: s)
            let (view, snapshot) = (try self.view(try await s.fieldCatalog()), try await s.snapshot(of: deal))
            return try await s.documents(deal: deal.id).map { d in
                var shown = d
                shown.name = view.redact(d.name, in: snapshot)
                return shown
            }
        }
        return .ok(.init(body: .json(.init(items: items.map(SchemaMapping.document)))))
    }

    /// A document as its reader may see it: rendered by a rule with every value, it is served without the values of
    /// the deal that are hidden from the reader.
    func getDocument(_ input: Operations.getDocument.Input) async throws -> Operations.getDocument.Output {
        let body = try await store.read { s in
            let d = try await s.document(input.path.id)
            let deal = try await visibleDeal(d.deal, in: s)
            let (view, snapshot) = (try self.view(try await s.fieldCatalog()), try await s.snapshot(of: deal))
            return view.redact(d.body, in: snapshot, html: true)
        }
        return .ok(.init(body: .html(.init(stringLiteral: body))))
    }
}
