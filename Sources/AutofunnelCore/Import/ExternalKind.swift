/// The kinds of records an import ties to their ids in the system they came from.
public enum ExternalKind: String, Sendable, CaseIterable {
    case deal
    case contact
    case company
    case user
}
