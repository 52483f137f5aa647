import AutofunnelCore

/// One import of one file with one mapping: where it got to and what it did, so that a run cut half-way resumes.
public struct ImportRun: Sendable, Equatable {
    /// `running`, `finished`.
    public enum Status: String, Sendable { case running, finished }

    /// A digest of the file and the mapping: the same file imported with the same mapping is the same run.
    public var id: String
    public var source: String
    public var fileName: String
    /// The last row whose effects are committed.
    public var position: Int64
    public var created: Int64
    public var updated: Int64
    public var refused: Int64
    public var status: Status
    public var startedAt: Timestamp
    public var finishedAt: Timestamp?

    public init(
        id: String, source: String, fileName: String, position: Int64 = 0, created: Int64 = 0, updated: Int64 = 0, refused: Int64 = 0,
        status: Status = .running, startedAt: Timestamp, finishedAt: Timestamp? = nil
    ) {
        self.id = id
        self.source = source
        self.fileName = fileName
        self.position = position
        self.created = created
        self.updated = updated
        self.refused = refused
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}
