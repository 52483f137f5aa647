import AutofunnelCore
import SQLKit

/// A row of `users`.
struct UserRecord: Codable, Sendable {
    var id: Int64?
    var email: String
    var name: String
    var locale: String
    var role: String
    var active: Int64
    var created_at: Int64
    var time_zone: String?

    static let columns = ["id", "email", "name", "locale", "role", "active", "created_at", "time_zone"]

    func user() -> User {
        User(
            id: UserID(id ?? 0), email: email, name: name, locale: User.Locale(rawValue: locale) ?? .ru, role: Role(rawValue: role) ?? .observer,
            active: active != 0, createdAt: Timestamp(millis: created_at), timeZone: time_zone.flatMap(TimeZoneName.init(rawValue:)))
    }
}
