import AutofunnelCore
import SQLKit

/// A timer whose firing failed too often and was parked: it no longer fires until an admin requeues it.
public struct ParkedTimer: Sendable, Hashable, Codable {
    /// The parked row's own id (what requeueing names).
    public var id: Int64
    public var deal: DealID
    public var stage: StageKey
    public var rule: String
    public var dueAt: Timestamp
    public var task: TaskID?
    public var attempts: Int
    public var lastError: String
    public var parkedAt: Timestamp
}
