/// Who is calling, and with what: the user, their grants per pipeline, and the scope of the credential used.
/// Every access decision of the API and the pages is a method of this type.
public struct Principal: Hashable, Sendable {
    /// How the caller proved who they are.
    public enum Credential: String, Hashable, Sendable {
        /// A browser session cookie (full rights of the user, CSRF-checked).
        case session
        /// An API token sent as `Authorization: Bearer`, limited to its scope.
        case token
    }

    public var user: User
    /// Grants set by an admin; a pipeline without one falls back to the role's default.
    public var grants: [PipelineKey: GrantLevel]
    public var scope: TokenScope
    public var credential: Credential

    public init(user: User, grants: [PipelineKey: GrantLevel] = [:], scope: TokenScope = .admin, credential: Credential = .session) {
        self.user = user
        self.grants = grants
        self.scope = scope
        self.credential = credential
    }

    public var role: Role { user.role }

    /// The actor recorded for changes made by this caller.
    public var actor: Actor { Actor(kind: credential == .session ? .user : .api, userID: user.id) }

    /// Administration (users, grants, definitions, audit): an admin with a session or an admin-scope token.
    public var administers: Bool { role == .admin && scope == .admin }

    /// Whether the credential allows changes at all.
    public var mayWrite: Bool { role.writes && scope >= .write }

    /// The effective grant in a pipeline: admins have every pipeline; marketers and observers never more than reading.
    public func level(_ pipeline: PipelineKey) -> GrantLevel {
        if role == .admin { return .writeAll }
        let granted = grants[pipeline] ?? role.defaultGrant
        return role.writes ? granted : min(granted, .readAll)
    }

    /// Whether the pipeline (its stages, definition and board) exists for the caller.
    public func seesPipeline(_ pipeline: PipelineKey) -> Bool { level(pipeline) > .none }

    /// Whether the caller may read this deal. Marketers see lost deals only.
    public func sees(_ deal: Deal) -> Bool {
        if role == .marketer && deal.status != .lost { return false }
        switch level(deal.pipeline) {
        case .none: return false
        case .own: return deal.responsible == user.id
        case .readAll, .writeAll: return true
        }
    }

    /// Whether the caller may change this deal (fields, moves, notes). Closed deals change only with `writeAll`.
    public func edits(_ deal: Deal) -> Bool {
        guard mayWrite, sees(deal) else { return false }
        switch level(deal.pipeline) {
        case .writeAll: return true
        case .own, .readAll: return deal.status == .open && deal.responsible == user.id
        case .none: return false
        }
    }

    /// Reopening, deleting, or handing a deal to someone else's pipeline view: only with `writeAll`.
    public func manages(_ deal: Deal) -> Bool { mayWrite && sees(deal) && level(deal.pipeline) == .writeAll }

    /// Whether the caller may create a deal in the pipeline with this responsible (nil: the caller becomes it).
    public func creates(in pipeline: PipelineKey, responsible: UserID?) -> Bool {
        guard mayWrite else { return false }
        switch level(pipeline) {
        case .writeAll: return true
        case .own, .readAll: return responsible == nil || responsible == user.id
        case .none: return false
        }
    }

    /// Whether the caller may read a report of the pipeline. Marketers read the loss report only.
    public func readsReport(_ pipeline: PipelineKey, losses: Bool) -> Bool {
        if role == .marketer && !losses { return false }
        return level(pipeline) >= .readAll
    }

    /// Deleting contacts and companies: admins and heads of sales.
    public var deletesParties: Bool { mayWrite && (role == .admin || role == .headOfSales) }

    /// How the caller may use a field: the stricter of the field's own rule and the built-in one.
    public func access(_ entity: FieldEntity, _ field: String, definition: FieldDefinition? = nil) -> FieldAccess {
        if role == .admin { return .write }
        let builtin = BuiltinFieldRules.access(entity, field, role: role)
        let declared = definition?.access?[role] ?? .write
        if builtin == .hidden || declared == .hidden { return .hidden }
        if builtin == .readOnly || declared == .readOnly { return .readOnly }
        return .write
    }

    /// The deals this caller may list, as a filter the store turns into SQL.
    public func dealScope(pipelines: [PipelineKey]) -> DealScope {
        if role == .admin { return DealScope(user: user.id, everyPipeline: true, allOf: [], ownOf: [], lostOnly: false) }
        var all: [PipelineKey] = []
        var own: [PipelineKey] = []
        for p in pipelines {
            switch level(p) {
            case .readAll, .writeAll: all.append(p)
            case .own: own.append(p)
            case .none: break
            }
        }
        return DealScope(user: user.id, everyPipeline: false, allOf: all, ownOf: own, lostOnly: role == .marketer)
    }
}

/// Which deals a list may return: every deal of some pipelines, the caller's own deals of others.
public struct DealScope: Hashable, Sendable {
    public var user: UserID
    public var everyPipeline: Bool
    public var allOf: [PipelineKey]
    public var ownOf: [PipelineKey]
    public var lostOnly: Bool

    public init(user: UserID, everyPipeline: Bool, allOf: [PipelineKey], ownOf: [PipelineKey], lostOnly: Bool) {
        self.user = user
        self.everyPipeline = everyPipeline
        self.allOf = allOf
        self.ownOf = ownOf
        self.lostOnly = lostOnly
    }
}
