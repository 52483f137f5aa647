/// An in-app notification for one user: an overdue task for its creator, a deal timed out.
public struct Notice: Hashable, Sendable {
    public var id: Int64
    public var user: UserID
    public var deal: DealID?
    public var task: TaskID?
    /// `task_overdue`, …
    public var kind: String
    public var text: String
    public var createdAt: Timestamp
    public var readAt: Timestamp?

    public init(
        id: Int64 = 0, user: UserID, deal: DealID?, task: TaskID? = nil, kind: String, text: String, createdAt: Timestamp, readAt: Timestamp? = nil
    ) {
        self.id = id
        self.user = user
        self.deal = deal
        self.task = task
        self.kind = kind
        self.text = text
        self.createdAt = createdAt
        self.readAt = readAt
    }
}
