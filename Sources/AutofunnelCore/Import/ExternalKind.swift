/// The kinds of records an import ties to their ids in the system they came from.
public enum ExternalKind: String, Sendable, CaseIterable {
    case deal
    case contact
    case company
    case user
    /// A note on a deal (amoCRM's note, Bitrix24's activity).
    case note
    /// A task on a deal.
    case task
}
