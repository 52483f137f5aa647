import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

extension APIHandler {
    static let webhookEvents: Set<String> = ["*", "deal.created", "deal.stage_changed", "deal.won", "deal.lost"]

    func listWebhooks(_ input: Operations.listWebhooks.Input) async throws -> Operations.listWebhooks.Output {
        _ = try requireAdmin()
        let items = try await store.read { s in try await s.endpoints() }.filter { $0.kind == .webhook }
        return .ok(.init(body: .json(.init(items: items.map(SchemaMapping.endpoint)))))
    }

    func createWebhook(_ input: Operations.createWebhook.Input) async throws -> Operations.createWebhook.Output {
        guard case .json(let b) = input.body else { throw AppError.badRequest("Send JSON") }
        _ = try requireAdmin()
        var problems: [Violation] = []
        if let refusal = services.webhookPolicy.refusal(b.url) {
            problems.append(
                .init(
                    rule: .invalidValue, field: "url", message: .init(ru: "Адрес не подходит: \(refusal)", en: "This URL cannot be used: \(refusal)"))
            )
        }
        let unknown = b.events.filter { !Self.webhookEvents.contains($0) }
        if b.events.isEmpty || !unknown.isEmpty {
            problems.append(
                .init(
                    rule: .invalidValue, field: "events",
                    message: .init(
                        ru: "События: \(Self.webhookEvents.sorted().joined(separator: ", "))",
                        en: "Events are \(Self.webhookEvents.sorted().joined(separator: ", "))")))
        }
        guard problems.isEmpty else { throw AppError.refused(problems) }
        let secret = WebhookSigner.newSecret()
        let now = services.clock.now()
        let endpoint = try await store.write { s in try await s.insertEndpoint(name: b.name, url: b.url, secret: secret, events: b.events, at: now) }
        return .created(.init(body: .json(.init(endpoint: SchemaMapping.endpoint(endpoint), secret: secret))))
    }

    func deleteWebhook(_ input: Operations.deleteWebhook.Input) async throws -> Operations.deleteWebhook.Output {
        _ = try requireAdmin()
        try await store.write { s in try await s.deleteEndpoint(input.path.id) }
        return .noContent(.init())
    }

    func listWebhookMessages(_ input: Operations.listWebhookMessages.Input) async throws -> Operations.listWebhookMessages.Output {
        _ = try requireAdmin()
        let status = input.query.status.flatMap { OutboxMessage.Status(rawValue: $0.rawValue) }
        let items = try await store.read { s in try await s.outbox(status: status) }
        return .ok(.init(body: .json(.init(items: items.map(SchemaMapping.message)))))
    }

    func replayWebhookMessage(_ input: Operations.replayWebhookMessage.Input) async throws -> Operations.replayWebhookMessage.Output {
        _ = try requireAdmin()
        let now = services.clock.now()
        try await store.write { s in try await s.replay(messageSeq: input.path.id, at: now) }
        return .noContent(.init())
    }
}

extension APIHandler {
    func listDeadLetters(_ input: Operations.listDeadLetters.Input) async throws -> Operations.listDeadLetters.Output {
        _ = try requireAdmin()
        let (timers, failed) = try await store.read { s in (try await s.parkedTimers(limit: 200), try await s.failedMessageCount()) }
        let items = timers.map { t in
            Components.Schemas.ParkedTimer(
                id: t.id, dealId: t.deal.rawValue, stage: t.stage.rawValue, rule: t.rule, dueAt: SchemaMapping.date(t.dueAt), attempts: t.attempts,
                lastError: t.lastError, parkedAt: SchemaMapping.date(t.parkedAt))
        }
        return .ok(.init(body: .json(.init(timers: items, failedMessages: failed))))
    }

    func requeueParkedTimer(_ input: Operations.requeueParkedTimer.Input) async throws -> Operations.requeueParkedTimer.Output {
        _ = try requireAdmin()
        let now = services.clock.now()
        guard try await store.write({ s in try await s.requeueParkedTimer(input.path.id, now: now) }) else {
            throw AppError.notFound("No parked timer \(input.path.id)")
        }
        services.bell.ring()
        return .noContent(.init())
    }
}
