import AutofunnelCore

/// An import of an uploaded file that the server runs in the background: what was asked, how far it got and how it
/// ended. The record outlives the process that ran it; the files it read are kept only for a while.
public struct ImportJob: Sendable, Equatable {
    /// `queued` and `running` are alive; `finished` and `failed` are final and never change again.
    public enum Status: String, Sendable, CaseIterable {
        case queued, running, finished, failed

        public var isActive: Bool { self == .queued || self == .running }
    }

    public var id: Int64
    public var status: Status
    public var fileName: String
    public var historyName: String?
    /// The name the records' ids in their system are kept under.
    public var source: String
    /// The mapping it runs with, as YAML.
    public var mapping: String
    public var dryRun: Bool
    public var skipUnmapped: Bool
    /// The uploaded files it reads (an id of `ImportUploads`).
    public var upload: String
    public var rows: Int64
    public var total: Int64?
    public var created: Int64
    public var updated: Int64
    public var refused: Int64
    public var moves: Int64
    public var resumedAfter: Int64
    public var message: String?
    public var createdBy: UserID?
    public var createdAt: Timestamp
    public var startedAt: Timestamp?
    public var finishedAt: Timestamp?
    /// When the process running it last said it is alive: an active job whose heartbeat is old lost its process.
    public var heartbeatAt: Timestamp

    public init(
        id: Int64 = 0, status: Status = .queued, fileName: String, historyName: String? = nil, source: String, mapping: String, dryRun: Bool,
        skipUnmapped: Bool, upload: String, rows: Int64 = 0, total: Int64? = nil, created: Int64 = 0, updated: Int64 = 0, refused: Int64 = 0,
        moves: Int64 = 0, resumedAfter: Int64 = 0, message: String? = nil, createdBy: UserID?, createdAt: Timestamp, startedAt: Timestamp? = nil,
        finishedAt: Timestamp? = nil, heartbeatAt: Timestamp
    ) {
        self.id = id
        self.status = status
        self.fileName = fileName
        self.historyName = historyName
        self.source = source
        self.mapping = mapping
        self.dryRun = dryRun
        self.skipUnmapped = skipUnmapped
        self.upload = upload
        self.rows = rows
        self.total = total
        self.created = created
        self.updated = updated
        self.refused = refused
        self.moves = moves
        self.resumedAfter = resumedAfter
        self.message = message
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.heartbeatAt = heartbeatAt
    }
}
