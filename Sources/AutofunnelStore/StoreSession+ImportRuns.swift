import AutofunnelCore
import SQLKit

extension StoreSession {
    /// The journal of an import run, if it was started before.
    public func importRun(_ id: String) async throws -> ImportRun? {
        guard let row = try await db.select().column("*").from("import_runs").where("id", .equal, id).first() else { return nil }
        return ImportRun(
            id: try row.decode(column: "id", as: String.self), source: try row.decode(column: "source", as: String.self),
            fileName: try row.decode(column: "file_name", as: String.self), position: try row.decode(column: "position", as: Int64.self),
            created: try row.decode(column: "created", as: Int64.self), updated: try row.decode(column: "updated", as: Int64.self),
            refused: try row.decode(column: "refused", as: Int64.self),
            status: ImportRun.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .running,
            startedAt: Timestamp(millis: try row.decode(column: "started_at", as: Int64.self)),
            finishedAt: try row.decode(column: "finished_at", as: Int64?.self).map(Timestamp.init(millis:)))
    }

    /// Writes the run's journal: inserted the first time, then its position and counts, in the batch's transaction.
    public func saveImportRun(_ run: ImportRun) async throws {
        try await db.insert(into: "import_runs")
            .columns("id", "source", "file_name", "position", "created", "updated", "refused", "status", "started_at", "finished_at")
            .values(
                SQLBind(run.id), SQLBind(run.source), SQLBind(run.fileName), SQLBind(run.position), SQLBind(run.created), SQLBind(run.updated),
                SQLBind(run.refused), SQLBind(run.status.rawValue), SQLBind(run.startedAt.millis), SQLBind(run.finishedAt?.millis)
            )
            .onConflict(with: ["id"]) {
                $0.set(excludedValueOf: "position").set(excludedValueOf: "created").set(excludedValueOf: "updated")
                    .set(excludedValueOf: "refused").set(excludedValueOf: "status").set(excludedValueOf: "finished_at")
            }
            .run()
    }
}
