import AutofunnelCore
import SQLKit

extension StoreSession {
    /// The installation's secret called `name`, or nil before anything made it.
    public func serverSecret(_ name: String) async throws -> String? {
        try await db.select().column("value").from("server_secrets").where("name", .equal, name).first()?.decode(column: "value", as: String.self)
    }

    /// The installation's secret called `name`, storing `candidate` if there is none yet. Two servers racing here
    /// both end up with the one value that was stored first.
    public func serverSecret(_ name: String, orStore candidate: String, at: Timestamp) async throws -> String {
        try await db.insert(into: "server_secrets").columns("name", "value", "created_at")
            .values(SQLBind(name), SQLBind(candidate), SQLBind(at.millis))
            .ignoringConflicts(with: ["name"]).run()
        return try await serverSecret(name) ?? candidate
    }
}
