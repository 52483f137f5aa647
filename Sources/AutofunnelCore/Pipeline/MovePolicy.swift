/// Which moves a pipeline allows to each kind of actor (guide 001: some companies allow managers only
/// backward moves and leave forward moves to automation).
public struct MovePolicy: Hashable, Sendable, Codable {
    /// What one kind of actor may do.
    public struct Permissions: Hashable, Sendable, Codable {
        public var forward: Bool
        public var backward: Bool
        public var skip: Bool
        public var close: Bool
        public init(forward: Bool = true, backward: Bool = true, skip: Bool = true, close: Bool = true) {
            self.forward = forward
            self.backward = backward
            self.skip = skip
            self.close = close
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
