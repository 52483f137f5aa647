import AutofunnelCore

/// A task as a person may read it, with its deal.
public struct VisibleTask: Sendable {
    /// The task, its title and text masked by the reader's field access.
    public let task: DealTask
    public let deal: Deal
}
