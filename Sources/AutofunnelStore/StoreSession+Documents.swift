import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Attaches a document to a deal.
    public func insertDocument(deal: DealID, name: String, contentType: String, body: String, rule: String?, at: Timestamp) async throws
        -> DealDocument
    {
        var record = DocumentRecord(
            id: nil, deal_id: deal.rawValue, name: name, content_type: contentType, body: body, rule_key: rule, created_at: at.millis)
        record.id = try await insertReturningID("documents", record)
        return record.document()
    }

    /// The documents of a deal, oldest first, without their bodies' cost mattering (they are small HTML).
    public func documents(deal: DealID) async throws -> [DealDocument] {
        try await db.select().column(SQLNames(DocumentRecord.columns)).from("documents")
            .where("deal_id", .equal, deal.rawValue).orderBy("id").all(decoding: DocumentRecord.self).map { $0.document() }
    }

    /// One document.
    public func document(_ id: Int64) async throws -> DealDocument {
        guard
            let r = try await db.select().column(SQLNames(DocumentRecord.columns)).from("documents")
                .where("id", .equal, id).first(decoding: DocumentRecord.self)
        else { throw StoreError.notFound(entity: "document", id: String(id)) }
        return r.document()
    }

    /// Records that a contact asked a channel to stop writing.
    public func unsubscribe(contact: ContactID, channel: String, at: Timestamp) async throws {
        try await db.insert(into: "unsubscribes").columns("contact_id", "channel", "at").values(
            SQLBind(contact.rawValue), SQLBind(channel), SQLBind(at.millis)
        ).ignoringConflicts(with: ["contact_id", "channel"]).run()
    }

    /// Whether a contact unsubscribed from a channel.
    public func isUnsubscribed(contact: ContactID, channel: String) async throws -> Bool {
        try await db.select().column("contact_id").from("unsubscribes").where("contact_id", .equal, contact.rawValue).where(
            "channel", .equal, channel
        )
        .first() != nil
    }
}
