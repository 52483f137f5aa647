import AutofunnelCore
import SQLKit

extension StoreSession {
    private func sourceQuery() -> SQLSelectBuilder {
        db.select().columns("key", "pipeline_key", "stage_key", "secret_hash", "responsible_id", "created_at").from("inbound_sources")
    }

    /// Stores a source; a taken key is a conflict.
    public func insertSource(_ s: InboundSource) async throws {
        if try await source(s.key) != nil { throw StoreError.conflict("an inbound source \(s.key) exists") }
        try await db.insert(into: "inbound_sources").model(
            InboundSourceRecord(
                key: s.key, pipeline_key: s.pipeline.rawValue, stage_key: s.stage?.rawValue, secret_hash: s.secretHash,
                responsible_id: s.responsible?.rawValue, created_at: s.createdAt.millis)
        ).run()
    }

    public func source(_ key: String) async throws -> InboundSource? {
        try await sourceQuery().where("key", .equal, key).first(decoding: InboundSourceRecord.self)?.source()
    }

    public func sources() async throws -> [InboundSource] {
        try await sourceQuery().orderBy("key").all(decoding: InboundSourceRecord.self).map { $0.source() }
    }

    public func deleteSource(_ key: String) async throws {
        guard try await source(key) != nil else { throw StoreError.notFound(entity: "inbound source", id: key) }
        try await db.delete(from: "inbound_sources").where("key", .equal, key).run()
    }

    /// The newest open deal of a contact in a pipeline.
    public func openDeal(contact: ContactID, pipeline: PipelineKey) async throws -> Deal? {
        let page = try await livePage(DealRecord.self, after: nil, limit: 1000) { q in
            q.where("contact_id", .equal, contact.rawValue).where("pipeline_key", .equal, pipeline.rawValue).where(
                "status", .equal, DealStatus.open.rawValue)
        }
        return try page.records.last?.deal()
    }
}
