import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Appends one row to the stage log. There is no update or delete: the log is append-only.
    public func appendStageLog(_ e: StageLogEntry) async throws { try await bulkAppendStageLog([e]) }

    /// Appends timeline entries.
    public func appendTimeline(_ entries: [TimelineEntry]) async throws {
        guard !entries.isEmpty else { return }
        let rows: [[any Encodable & Sendable]] = entries.map { e in
            [e.deal.rawValue, e.at.millis, e.kind, e.field, e.old, e.new, e.text, e.actor?.userID?.rawValue, e.actor?.kind.rawValue]
        }
        try await db.raw(
            insertStatement(
                into: "timeline", columns: SQLNames("deal_id", "at", "kind", "field", "old_value", "new_value", "text", "actor_id", "actor_kind"),
                rows: rows)
        ).run()
    }

    /// The stage log of a deal, oldest first.
    public func stageLog(deal: DealID) async throws -> [StageLogEntry] {
        try await db.select().column("*").from("stage_log").where("deal_id", .equal, deal.rawValue).orderBy("seq").all(decoding: StageLogRecord.self)
            .map { try $0.entry() }
    }

    /// The timeline of a deal, oldest first.
    public func timeline(deal: DealID) async throws -> [TimelineEntry] {
        try await db.select().column("*").from("timeline").where("deal_id", .equal, deal.rawValue).orderBy("seq").all(decoding: TimelineRecord.self)
            .map { try $0.entry() }
    }

    /// The stage a closed deal was in before it closed (the latest log row's origin): where a reopen returns it by default.
    public func stageBeforeClosing(deal: DealID) async throws -> StageKey? {
        let row = try await db.select().column("from_stage").from("stage_log").where("deal_id", .equal, deal.rawValue)
            .orderBy("seq", .descending).limit(1).first()
        return try row?.decode(column: "from_stage", as: String?.self).map(StageKey.init(rawValue:))
    }
}

struct StageLogRecord: Decodable {
    var seq: Int64
    var deal_id: Int64
    var lineage_id: String
    var pipeline_key: String
    var from_stage: String?
    var to_stage: String
    var at: Int64
    var actor_id: Int64?
    var actor_kind: String
    var cause: String
    var responsible_id: Int64?
    var amount: Int64?
    var currency: String?
    var deal_created_at: Int64?

    func entry() throws -> StageLogEntry {
        guard let kind = ActorKind(rawValue: actor_kind) else { throw StoreError.corrupt("stage_log \(seq) actor kind") }
        let money = zip(amount, currency.flatMap(CurrencyCode.init)).map { Money(scaledUnits: $0, currency: $1) }
        return StageLogEntry(
            seq: seq, deal: DealID(deal_id), lineage: LineageID(lineage_id), pipeline: PipelineKey(pipeline_key),
            from: from_stage.map(StageKey.init(rawValue:)), to: StageKey(to_stage), at: Timestamp(millis: at),
            actor: Actor(kind: kind, userID: actor_id.map(UserID.init(rawValue:))), cause: cause,
            responsible: responsible_id.map(UserID.init(rawValue:)), amount: money, dealCreatedAt: Timestamp(millis: deal_created_at ?? 0))
    }
}

struct TimelineRecord: Decodable {
    var seq: Int64
    var deal_id: Int64
    var at: Int64
    var kind: String
    var field: String?
    var old_value: String?
    var new_value: String?
    var text: String?
    var actor_id: Int64?
    var actor_kind: String?

    func entry() throws -> TimelineEntry {
        let actor = actor_kind.flatMap(ActorKind.init(rawValue:)).map { Actor(kind: $0, userID: actor_id.map(UserID.init(rawValue:))) }
        return TimelineEntry(
            seq: seq, deal: DealID(deal_id), at: Timestamp(millis: at), kind: kind, field: field, old: old_value, new: new_value, text: text,
            actor: actor)
    }
}

func zip<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
