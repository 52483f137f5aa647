import AutofunnelCore
import SQLKit

extension StoreSession {
    /// The grants set for a user, per pipeline.
    public func grants(user: UserID) async throws -> [PipelineKey: GrantLevel] {
        let rows = try await db.select().columns("pipeline_key", "level").from("grants").where("user_id", .equal, user.rawValue).all()
        var out: [PipelineKey: GrantLevel] = [:]
        for row in rows {
            let level = GrantLevel(rawValue: try row.decode(column: "level", as: String.self)) ?? .none
            out[PipelineKey(try row.decode(column: "pipeline_key", as: String.self))] = level
        }
        return out
    }

    /// Replaces every grant of a user.
    public func setGrants(user: UserID, _ grants: [PipelineKey: GrantLevel]) async throws {
        try await db.delete(from: "grants").where("user_id", .equal, user.rawValue).run()
        for (pipeline, level) in grants.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            try await db.insert(into: "grants").columns("user_id", "pipeline_key", "level").values(
                SQLBind(user.rawValue), SQLBind(pipeline.rawValue), SQLBind(level.rawValue)
            ).run()
        }
    }
}
