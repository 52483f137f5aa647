import AutofunnelCore
import SQLKit

/// The changes an admin makes to a user; nil leaves an attribute as it is.
public struct UserChanges: Sendable {
    public var name: String?
    public var locale: User.Locale?
    public var role: Role?
    public var active: Bool?
    /// `.some(nil)` returns the user to the installation's zone.
    public var timeZone: TimeZoneName??
    public init(name: String? = nil, locale: User.Locale? = nil, role: Role? = nil, active: Bool? = nil, timeZone: TimeZoneName?? = nil) {
        self.timeZone = timeZone
        self.name = name
        self.locale = locale
        self.role = role
        self.active = active
    }
}
