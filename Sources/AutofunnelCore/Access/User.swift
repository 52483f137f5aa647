/// A person who signs in to the CRM: identity, language, role and whether the account may be used.
public struct User: Hashable, Sendable {
    /// The language a user reads.
    public enum Locale: String, Hashable, Sendable, Codable, CaseIterable { case ru, en }
    public var id: UserID
    public var email: String
    public var name: String
    public var locale: Locale
    public var role: Role
    /// A disabled user cannot sign in; their sessions are ended and their tokens stop working.
    public var active: Bool
    public var createdAt: Timestamp
    /// The zone the user's pages show and read times in; nil is the installation's.
    public var timeZone: TimeZoneName?

    public init(
        id: UserID, email: String, name: String, locale: Locale, role: Role = .manager, active: Bool = true, createdAt: Timestamp,
        timeZone: TimeZoneName? = nil
    ) {
        self.timeZone = timeZone
        self.id = id
        self.email = email
        self.name = name
        self.locale = locale
        self.role = role
        self.active = active
        self.createdAt = createdAt
    }
}
