import AutofunnelCore

struct ImportJobRecord: Codable, Sendable {
    var id: Int64?
    var status: String
    var file_name: String
    var history_name: String?
    var source: String
    var mapping: String
    var dry_run: Int64
    var skip_unmapped: Int64
    var upload: String
    var rows_read: Int64
    var total_rows: Int64?
    var created: Int64
    var updated: Int64
    var refused: Int64
    var moves: Int64
    var resumed_after: Int64
    var message: String?
    var created_by: Int64?
    var created_at: Int64
    var started_at: Int64?
    var finished_at: Int64?
    var heartbeat_at: Int64

    static let columns = [
        "id", "status", "file_name", "history_name", "source", "mapping", "dry_run", "skip_unmapped", "upload", "rows_read", "total_rows",
        "created", "updated", "refused", "moves", "resumed_after", "message", "created_by", "created_at", "started_at", "finished_at",
        "heartbeat_at",
    ]

    init(_ j: ImportJob) {
        id = j.id == 0 ? nil : j.id
        status = j.status.rawValue
        file_name = j.fileName
        history_name = j.historyName
        source = j.source
        mapping = j.mapping
        dry_run = j.dryRun ? 1 : 0
        skip_unmapped = j.skipUnmapped ? 1 : 0
        upload = j.upload
        rows_read = j.rows
        total_rows = j.total
        created = j.created
        updated = j.updated
        refused = j.refused
        moves = j.moves
        resumed_after = j.resumedAfter
        message = j.message
        created_by = j.createdBy?.rawValue
        created_at = j.createdAt.millis
        started_at = j.startedAt?.millis
        finished_at = j.finishedAt?.millis
        heartbeat_at = j.heartbeatAt.millis
    }

    func job() -> ImportJob {
        ImportJob(
            id: id ?? 0, status: ImportJob.Status(rawValue: status) ?? .failed, fileName: file_name, historyName: history_name, source: source,
            mapping: mapping, dryRun: dry_run != 0, skipUnmapped: skip_unmapped != 0, upload: upload, rows: rows_read, total: total_rows,
            created: created, updated: updated, refused: refused, moves: moves, resumedAfter: resumed_after, message: message,
            createdBy: created_by.map { UserID($0) }, createdAt: Timestamp(millis: created_at), startedAt: started_at.map(Timestamp.init(millis:)),
            finishedAt: finished_at.map(Timestamp.init(millis:)), heartbeatAt: Timestamp(millis: heartbeat_at))
    }
}
