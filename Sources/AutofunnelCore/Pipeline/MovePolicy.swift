/// Which moves a pipeline allows to each kind of actor (guide 001: some companies allow managers only
/// backward moves and leave forward moves to automation).
public struct MovePolicy: Hashable, Sendable, Codable {
    /// What one kind of actor may do.
    public struct Permissions: Hashable, Sendable, Codable {
        public var forward: Bool
        public var backward: Bool
        public var skip: Bool
        public var close: Bool
        /// Whether moves forward need the required fields of the stages left (unset: they do). A history brought
        /// from another CRM was made without our fields: `requiredFields: false` in the definition's `policy.import`
        /// lets an import replay it, and the dry run says so when rows are refused for a missing field.
        public var requiredFields: Bool?
        public init(forward: Bool = true, backward: Bool = true, skip: Bool = true, close: Bool = true, requiredFields: Bool? = nil) {
            self.forward = forward
            self.backward = backward
            self.skip = skip
            self.close = close
            self.requiredFields = requiredFields
        }
        /// Everything allowed.
        public static let all = Permissions()
    }

    public var user: Permissions
    public var automation: Permissions
    public var api: Permissions
    public var `import`: Permissions

    public init(user: Permissions = .all, automation: Permissions = .all, api: Permissions = .all, import: Permissions = .all) {
        self.user = user
        self.automation = automation
        self.api = api
        self.import = `import`
    }

    /// Whether moves by `kind` need the required fields of the stages they leave.
    public func requiresFields(_ kind: ActorKind) -> Bool { self[kind].requiredFields ?? true }

    /// The permissions of one kind of actor.
    public subscript(kind: ActorKind) -> Permissions {
        switch kind {
        case .user: user
        case .automation: automation
        case .api: api
        case .import: `import`
        }
    }
}
