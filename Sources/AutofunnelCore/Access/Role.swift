/// What a user does in the company; it sets the ceiling of what their pipeline grants can give.
public enum Role: String, Hashable, Sendable, Codable, CaseIterable {
    /// Everything, in every pipeline, plus users, grants, definitions and the audit log.
    case admin
    /// Runs a sales team: everything in the pipelines granted to them.
    case headOfSales = "head_of_sales"
    /// Works deals: by default sees and edits the deals they are responsible for, and creates deals.
    case manager
    /// Checks lead quality: reads the lost deals and loss reasons of the pipelines granted to them, changes nothing.
    case marketer
    /// Another department: reads the board and reports, changes nothing, sees no contact details.
    case observer

    /// The grant a pipeline gives this role when the admin has set none for it.
    public var defaultGrant: GrantLevel {
        switch self {
        case .admin, .headOfSales: .writeAll
        case .manager: .own
        case .marketer, .observer: .none
        }
    }

    /// Whether the role may change deals, contacts and companies at all.
    public var writes: Bool { self == .admin || self == .headOfSales || self == .manager }
}

/// What a user may do with the deals of one pipeline.
public enum GrantLevel: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// The pipeline does not exist for the user.
    case none
    /// The deals the user is responsible for.
    case own
    /// Every deal to read; the user's own deals to change.
    case readAll = "read_all"
    /// Every deal to read and change.
    case writeAll = "write_all"

    var rank: Int {
        switch self {
        case .none: 0
        case .own: 1
        case .readAll: 2
        case .writeAll: 3
        }
    }

    public static func < (a: GrantLevel, b: GrantLevel) -> Bool { a.rank < b.rank }
}

/// What an API token may do; a session acts with its user's full rights.
public enum TokenScope: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// Reads only.
    case read
    /// Reads and changes records.
    case write
    /// Also administration: users, grants, definitions, audit.
    case admin

    var rank: Int {
        switch self {
        case .read: 0
        case .write: 1
        case .admin: 2
        }
    }

    public static func < (a: TokenScope, b: TokenScope) -> Bool { a.rank < b.rank }
}
