/// A to-do linked to a deal, with a due time, an assignee and a creator. Tasks that automation creates for a stage
/// close by themselves when the deal leaves that stage.
public struct DealTask: Hashable, Sendable {
    /// Where a task stands.
    public enum Status: String, Hashable, Sendable, Codable, CaseIterable {
        case open
        /// Completed by a person.
        case done
        /// Closed by the system: the deal left the stage the task was made for.
        case closed
    }

    /// What kind of work a task is, as people filter their day by it (amoCRM's and Bitrix24's task types).
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case task, call, meeting, email
    }

    public var id: TaskID
    public var deal: DealID
    public var kind: Kind
    public var title: String
    public var text: String?
    public var assignee: UserID?
    public var creator: UserID?
    /// The stage the task belongs to; leaving it closes the task.
    public var stage: StageKey?
    /// The rule that made it, if automation did.
    public var rule: String?
    public var status: Status
    public var dueAt: Timestamp
    public var createdAt: Timestamp
    public var completedAt: Timestamp?

    public init(
        id: TaskID, deal: DealID, title: String, text: String? = nil, assignee: UserID?, creator: UserID?, stage: StageKey? = nil,
        rule: String? = nil, status: Status = .open, dueAt: Timestamp, createdAt: Timestamp, completedAt: Timestamp? = nil, kind: Kind = .task
    ) {
        self.id = id
        self.kind = kind
        self.deal = deal
        self.title = title
        self.text = text
        self.assignee = assignee
        self.creator = creator
        self.stage = stage
        self.rule = rule
        self.status = status
        self.dueAt = dueAt
        self.createdAt = createdAt
        self.completedAt = completedAt
    }

    /// Open and past its due time.
    public func isOverdue(at now: Timestamp) -> Bool { status == .open && dueAt < now }
}
