import AutofunnelCore
import SQLKit

/// Which stages each deal ever entered, as a bit mask on its row (`deals.entered_mask`), so that the conversion report
/// reads one row per deal instead of grouping the whole stage log by deal.
///
/// The mask is derived from the stage log and nothing else: every append to the log recomputes the masks of the deals
/// it touched from their log rows, in the same transaction. A stage's bit is fixed when a definition first names it
/// (`stage_bits`), so reordering stages changes no mask; the report maps bits to the current order.
extension StoreSession {
    /// Bits 0…62: the sign bit stays clear so masks are positive on both databases.
    static let stageBitCount = 63

    /// Gives every stage key a bit in its pipeline, reusing the bit of a key the pipeline no longer has when all are
    /// taken (that bit is cleared from the pipeline's deals first). Returns the keys given a bit now, with it.
    @discardableResult
    static func assignStageBits(
        _ keys: [StageKey], pipeline: PipelineKey, current: Set<StageKey>, _ db: any SQLDatabase
    ) async throws -> [(key: StageKey, bit: Int64)] {
        var assigned: [(key: StageKey, bit: Int64)] = []
        var taken: [StageKey: Int] = [:]
        for row in try await db.select().column("stage_key").column("bit_index").from("stage_bits").where("pipeline_key", .equal, pipeline.rawValue)
            .all()
        {
            taken[StageKey(try row.decode(column: "stage_key", as: String.self))] = try row.decode(column: "bit_index", as: Int.self)
        }
        for key in keys where taken[key] == nil {
            var free = Set(0..<stageBitCount).subtracting(taken.values).min()
            if free == nil, let stale = taken.filter({ !current.contains($0.key) }).min(by: { $0.value < $1.value }) {
                try await db.delete(from: "stage_bits").where("pipeline_key", .equal, pipeline.rawValue).where(
                    "stage_key", .equal, stale.key.rawValue
                )
                .run()
                try await db.raw(
                    "UPDATE deals SET entered_mask = entered_mask & \(bind: ~(Int64(1) << stale.value)) WHERE pipeline_key = \(bind: pipeline.rawValue)"
                ).run()
                taken[stale.key] = nil
                free = stale.value
            }
            guard let bit = free else {
                throw StoreError.conflict("pipeline \(pipeline) would have more than \(stageBitCount) stages")
            }
            try await db.insert(into: "stage_bits").columns("pipeline_key", "stage_key", "bit_index", "bit")
                .values(SQLBind(pipeline.rawValue), SQLBind(key.rawValue), SQLBind(bit), SQLBind(Int64(1) << bit)).run()
            taken[key] = bit
            assigned.append((key, Int64(1) << bit))
        }
        return assigned
    }

    /// Sets newly assigned bits on the deals whose log already entered their keys: a key back in a definition after
    /// its bit went to another key has history, and a move only adds the bit of the stage it enters.
    static func markEntered(_ assigned: [(key: StageKey, bit: Int64)], pipeline: PipelineKey, _ db: any SQLDatabase) async throws {
        for (key, bit) in assigned {
            try await db.raw(
                """
                UPDATE deals SET entered_mask = entered_mask | \(bind: bit) WHERE pipeline_key = \(bind: pipeline.rawValue) \
                AND id IN (SELECT deal_id FROM stage_log WHERE pipeline_key = \(bind: pipeline.rawValue) AND to_stage = \(bind: key.rawValue))
                """
            ).run()
        }
    }

    /// Recomputes `entered_mask` from the stage log for these deals (all deals when nil).
    static func refreshEnteredMasks(_ deals: [Int64]?, _ db: any SQLDatabase) async throws {
        var q: SQLQueryString = """
            UPDATE deals SET entered_mask = (
              SELECT COALESCE(SUM(DISTINCT b.bit), 0) FROM stage_log l
              JOIN stage_bits b ON b.pipeline_key = l.pipeline_key AND b.stage_key = l.to_stage
              WHERE l.deal_id = deals.id AND l.pipeline_key = deals.pipeline_key)
            """
        if let deals {
            guard !deals.isEmpty else { return }
            q += " WHERE id IN (\(binds: deals))"
        }
        try await db.raw(q).run()
    }

    /// The deal's entered-stage mask as stored (0 for no such deal).
    public func enteredMask(_ deal: DealID) async throws -> Int64 {
        try await db.select().column("entered_mask").from("deals").where("id", .equal, deal.rawValue).first()?
            .decode(column: "entered_mask", as: Int64.self) ?? 0
    }

    /// How many deals' stored masks differ from what their stage log gives (0 when the derived column is right).
    public func staleEnteredMasks() async throws -> Int {
        let row = try await db.raw(
            """
            SELECT COUNT(*) AS n FROM deals d WHERE d.entered_mask <> (
              SELECT COALESCE(SUM(DISTINCT b.bit), 0) FROM stage_log l
              JOIN stage_bits b ON b.pipeline_key = l.pipeline_key AND b.stage_key = l.to_stage
              WHERE l.deal_id = d.id AND l.pipeline_key = d.pipeline_key)
            """
        ).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Recomputes every deal's mask from the stage log (a repair: the masks are kept in step with every append).
    public func recomputeEnteredMasks() async throws { try await Self.refreshEnteredMasks(nil, db) }

    /// Each stage key of the pipeline with its bit.
    public func stageBits(_ pipeline: PipelineKey) async throws -> [StageKey: Int64] {
        var out: [StageKey: Int64] = [:]
        for row in try await db.select().column("stage_key").column("bit").from("stage_bits").where("pipeline_key", .equal, pipeline.rawValue).all() {
            out[StageKey(try row.decode(column: "stage_key", as: String.self))] = try row.decode(column: "bit", as: Int64.self)
        }
        return out
    }
}
