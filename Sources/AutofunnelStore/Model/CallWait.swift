import AutofunnelCore
import SQLKit

/// A deal waiting in a stage for an outside system's answer to a `call_and_wait` rule.
public struct CallWait: Sendable, Hashable {
    /// Where a wait stands; only `waiting` takes an answer.
    public enum Status: String, Sendable { case waiting, approved, rejected, timeout, cancelled }
    /// The correlation token of the callback URL: unguessable, one per call.
    public var token: String
    public var deal: DealID
    public var stage: StageKey
    public var rule: String
    /// The webhook endpoint called: its secret signs the callback.
    public var endpoint: Int64
    public var branches: AutomationRule.WaitBranches
    public var status: Status
    public var deadline: Timestamp
    public var createdAt: Timestamp
    public var resolvedAt: Timestamp?

    public init(
        token: String, deal: DealID, stage: StageKey, rule: String, endpoint: Int64, branches: AutomationRule.WaitBranches, status: Status = .waiting,
        deadline: Timestamp, createdAt: Timestamp, resolvedAt: Timestamp? = nil
    ) {
        self.token = token
        self.deal = deal
        self.stage = stage
        self.rule = rule
        self.endpoint = endpoint
        self.branches = branches
        self.status = status
        self.deadline = deadline
        self.createdAt = createdAt
        self.resolvedAt = resolvedAt
    }
}
