import AutofunnelCore
import SQLKit

/// A row of `users`.
struct UserRecord: Codable, Sendable {
    var id: Int64?
    var email: String
    var name: String
    var locale: String
    var created_at: Int64

    func user() -> User {
        User(id: UserID(id ?? 0), email: email, name: name, locale: User.Locale(rawValue: locale) ?? .ru, createdAt: Timestamp(millis: created_at))
    }
}

extension StoreSession {
    /// All users ordered by id.
    public func users() async throws -> [User] {
        try await db.select().columns("id", "email", "name", "locale", "created_at").from("users").orderBy("id").all(decoding: UserRecord.self).map {
            $0.user()
        }
    }

    /// The user with this id.
    public func user(_ id: UserID) async throws -> User {
        guard
            let r = try await db.select().columns("id", "email", "name", "locale", "created_at").from("users").where("id", .equal, id.rawValue)
                .first(decoding: UserRecord.self)
        else { throw StoreError.notFound(entity: "user", id: id.description) }
        return r.user()
    }

    /// The user with this e-mail (stored lower-case).
    public func user(email: String) async throws -> User? {
        try await db.select().columns("id", "email", "name", "locale", "created_at").from("users").where("email", .equal, email.lowercased())
            .first(decoding: UserRecord.self)?.user()
    }

    /// Stores a new user; a taken e-mail is a conflict.
    public func insertUser(email: String, name: String, locale: User.Locale, at: Timestamp) async throws -> User {
        if try await user(email: email) != nil { throw StoreError.conflict("a user with e-mail \(email) exists") }
        let record = UserRecord(id: nil, email: email.lowercased(), name: name, locale: locale.rawValue, created_at: at.millis)
        return UserRecord(
            id: try await insertReturningID("users", record), email: record.email, name: name, locale: record.locale, created_at: at.millis
        ).user()
    }
}
