import AutofunnelCore
import SQLKit

extension StoreSession {
    private func endpointQuery() -> SQLSelectBuilder {
        db.select().columns("id", "name", "url", "secret", "events", "active", "disabled_reason", "created_at", "kind", "sender", "unsubscribe_text")
            .from("webhook_endpoints")
    }

    /// Stores an endpoint or a channel; a taken name (endpoints and channels share names) is a conflict.
    public func insertEndpoint(
        name: String, url: String, secret: String, events: [String], at: Timestamp, kind: WebhookEndpoint.Kind = .webhook, sender: String? = nil,
        unsubscribeText: String? = nil
    ) async throws -> WebhookEndpoint {
        if try await endpointQuery().where("name", .equal, name).first() != nil {
            throw StoreError.conflict("a webhook endpoint or channel named \(name) exists")
        }
        var record = EndpointRecord(
            id: nil, name: name, url: url, secret: secret, events: events.joined(separator: ","), active: 1, disabled_reason: nil,
            created_at: at.millis, kind: kind.rawValue, sender: sender, unsubscribe_text: unsubscribeText)
        memo?.endpoints = nil
        record.id = try await insertReturningID("webhook_endpoints", record)
        return record.endpoint()
    }

    /// Every endpoint, by id.
    public func endpoints() async throws -> [WebhookEndpoint] {
        if let known = memo?.endpoints { return known }
        let list = try await endpointQuery().orderBy("id").all(decoding: EndpointRecord.self).map { $0.endpoint() }
        memo?.endpoints = list
        return list
    }

    /// The endpoint with this id.
    public func endpoint(_ id: Int64) async throws -> WebhookEndpoint {
        guard let r = try await endpointQuery().where("id", .equal, id).first(decoding: EndpointRecord.self) else {
            throw StoreError.notFound(entity: "webhook endpoint", id: String(id))
        }
        return r.endpoint()
    }

    /// The endpoint or channel with this name.
    public func endpoint(named name: String) async throws -> WebhookEndpoint? {
        try await endpointQuery().where("name", .equal, name).first(decoding: EndpointRecord.self)?.endpoint()
    }

    /// Removes an endpoint and the messages still waiting for it.
    public func deleteEndpoint(_ id: Int64) async throws {
        _ = try await endpoint(id)
        try await db.delete(from: "outbox").where("endpoint_id", .equal, id).where("status", .equal, OutboxMessage.Status.pending.rawValue).run()
        memo?.endpoints = nil
        try await db.delete(from: "webhook_endpoints").where("id", .equal, id).run()
    }

    /// Stops deliveries to an endpoint (it answered 410 Gone).
    public func disableEndpoint(_ id: Int64, reason: String) async throws {
        memo?.endpoints = nil
        try await db.update("webhook_endpoints").set("active", to: 0).set("disabled_reason", to: reason).where("id", .equal, id).run()
    }

    /// Puts one message per subscribed endpoint in the outbox, in the caller's transaction. `only` limits it to one endpoint.
    /// `endpoints` spares the read when the caller has the list already.
    public func enqueue(
        type: String, payload: String, id: (Int64) -> String, at: Timestamp, only: String? = nil, endpoints known: [WebhookEndpoint]? = nil
    ) async throws {
        let list: [WebhookEndpoint]
        if let known { list = known } else { list = try await endpoints() }
        for e in list where (only == nil && e.receives(type)) || (only == e.name && e.active) {
            try await enqueue(type: type, payload: payload, id: id(e.id), endpoint: e.id, at: at)
        }
    }

    /// Puts one message for one endpoint or channel in the outbox, in the caller's transaction.
    public func enqueue(type: String, payload: String, id: String, endpoint: Int64, at: Timestamp) async throws {
        let record = OutboxRecord(
            seq: nil, message_id: id, endpoint_id: endpoint, event_type: type, payload: payload, status: OutboxMessage.Status.pending.rawValue,
            attempts: 0, next_attempt_at: at.millis, lease_owner: nil, lease_until: nil, last_status: nil, last_error: nil, created_at: at.millis,
            delivered_at: nil)
        try await db.raw(insertStatement(into: "outbox", record)).run()
    }

    /// Leases due pending messages, oldest first.
    public func claimDueMessages(now: Timestamp, owner: String, until: Timestamp, limit: Int) async throws -> [OutboxMessage] {
        let q = db.select().column(SQLNames(OutboxRecord.columns)).from("outbox")
            .where("status", .equal, OutboxMessage.Status.pending.rawValue).where("next_attempt_at", .lessThanOrEqual, now.millis)
            .where { g in g.where("lease_until", .is, SQLLiteral.null).orWhere("lease_until", .lessThan, now.millis) }
            .orderBy("next_attempt_at").orderBy("seq").limit(limit)
        if db.dialect.name == "postgresql" { q.lockingClause(SQLRaw("FOR UPDATE SKIP LOCKED")) }
        let rows = try await q.all(decoding: OutboxRecord.self)
        guard !rows.isEmpty else { return [] }
        try await db.update("outbox").set("lease_owner", to: owner).set("lease_until", to: until.millis).where("seq", .in, rows.compactMap(\.seq))
            .run()
        return rows.map { $0.message() }
    }

    /// Records an attempt: delivered, retried at `next`, or failed for good.
    public func recordAttempt(_ seq: Int64, status: OutboxMessage.Status, httpStatus: Int?, error: String?, next: Timestamp?, at: Timestamp)
        async throws
    {
        let u = db.update("outbox").set("status", to: status.rawValue).set(SQLIdentifier("attempts"), to: SQLRaw("attempts + 1"))
            .set("last_status", to: httpStatus).set("last_error", to: error).set("lease_owner", to: SQLLiteral.null).set(
                "lease_until", to: SQLLiteral.null)
        if let next { u.set("next_attempt_at", to: next.millis) }
        if status == .delivered { u.set("delivered_at", to: at.millis) }
        try await u.where("seq", .equal, seq).run()
    }

    /// Messages, newest first, optionally of one status.
    public func outbox(status: OutboxMessage.Status?, limit: Int = 100) async throws -> [OutboxMessage] {
        let q = db.select().column(SQLNames(OutboxRecord.columns)).from("outbox")
        if let status { q.where("status", .equal, status.rawValue) }
        return try await q.orderBy("seq", .descending).limit(limit).all(decoding: OutboxRecord.self).map { $0.message() }
    }

    /// Sends a message again (manual replay): pending now, same `webhook-id`.
    public func replay(messageSeq seq: Int64, at: Timestamp) async throws {
        guard try await db.select().column("seq").from("outbox").where("seq", .equal, seq).first() != nil else {
            throw StoreError.notFound(entity: "webhook message", id: String(seq))
        }
        try await db.update("outbox").set("status", to: OutboxMessage.Status.pending.rawValue).set("next_attempt_at", to: at.millis).set(
            "lease_until", to: SQLLiteral.null
        ).where("seq", .equal, seq).run()
    }

    /// Whether any pending message is due and not leased.
    public func hasDueMessages(now: Timestamp) async throws -> Bool {
        try await db.select().column("seq").from("outbox").where("status", .equal, OutboxMessage.Status.pending.rawValue)
            .where("next_attempt_at", .lessThanOrEqual, now.millis)
            .where { g in g.where("lease_until", .is, SQLLiteral.null).orWhere("lease_until", .lessThan, now.millis) }.limit(1).first() != nil
    }

    /// Messages waiting to be delivered.
    public func outboxDepth() async throws -> Int { try await outboxCount(.pending) }

    /// How many outbox messages failed for good.
    public func failedMessageCount() async throws -> Int { try await outboxCount(.failed) }

    func outboxCount(_ status: OutboxMessage.Status) async throws -> Int {
        try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("outbox").where("status", .equal, status.rawValue)
            .first()?.decode(column: "n", as: Int.self) ?? 0
    }
}
