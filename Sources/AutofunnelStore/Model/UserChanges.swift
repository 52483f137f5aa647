import AutofunnelCore
import SQLKit

/// The changes an admin makes to a user; nil leaves an attribute as it is.
public struct UserChanges: Sendable {
    public var name: String?
    public var locale: User.Locale?
    public var role: Role?
    public var active: Bool?
    public init(name: String? = nil, locale: User.Locale? = nil, role: Role? = nil, active: Bool? = nil) {
        self.name = name
        self.locale = locale
        self.role = role
        self.active = active
    }
}
