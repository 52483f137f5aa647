import AutofunnelCore
import Foundation
import SQLKit

/// A durable timer: a time-in-stage rule of a deal, due at a time.
public struct DueTimer: Sendable, Hashable {
    public var id: Int64
    public var deal: DealID
    public var stage: StageKey
    public var rule: String
    public var dueAt: Timestamp
    /// The task whose due time this timer watches (rule `task_overdue`).
    public var task: TaskID?
    /// The `call_and_wait` whose deadline this is (rule `wait_timeout`).
    public var waitToken: String?
    /// Names this timer's firing for the exactly-once ledger: unique even where the row id is reused.
    public var occurrence: String { "timer:\(id):\(token ?? "")" }
    var token: String?

    /// The rule name of due-time timers of tasks.
    public static let taskOverdue = "task_overdue"
    /// The rule name of deadline timers of waits.
    public static let waitTimeout = "wait_timeout"
    /// The stage of timers not tied to a stage (date rules): leaving a stage does not cancel them.
    public static let anyStage = StageKey("")
}
