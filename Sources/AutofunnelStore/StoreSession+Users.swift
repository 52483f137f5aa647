import AutofunnelCore
import SQLKit

extension StoreSession {
    private func userQuery() -> SQLSelectBuilder { db.select().column(SQLNames(UserRecord.columns)).from("users") }

    /// All users ordered by id.
    public func users() async throws -> [User] {
        try await userQuery().orderBy("id").all(decoding: UserRecord.self).map { $0.user() }
    }

    /// How many users exist: none means a new installation waiting for its first admin.
    public func userCount() async throws -> Int {
        let row = try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("users").first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The user with this id.
    public func user(_ id: UserID) async throws -> User {
        if let known = memo?.user(id.rawValue) { return known }
        guard let r = try await userQuery().where("id", .equal, id.rawValue).first(decoding: UserRecord.self) else {
            throw StoreError.notFound(entity: "user", id: id.description)
        }
        memo?.remember(r.user())
        return r.user()
    }

    /// The user with this e-mail (stored lower-case).
    public func user(email: String) async throws -> User? {
        try await userQuery().where("email", .equal, email.lowercased()).first(decoding: UserRecord.self)?.user()
    }

    /// The stored bcrypt hash of a user's password, if one was set.
    public func passwordHash(_ id: UserID) async throws -> String? {
        let row = try await db.select().column("password_hash").from("users").where("id", .equal, id.rawValue).first()
        return try row?.decode(column: "password_hash", as: String?.self)
    }

    /// Stores a new user; a taken e-mail is a conflict.
    public func insertUser(
        email: String, name: String, locale: User.Locale, role: Role = .manager, passwordHash: String? = nil, at: Timestamp
    ) async throws -> User {
        if try await user(email: email) != nil { throw StoreError.conflict("a user with e-mail \(email) exists") }
        let record = UserRecord(
            id: nil, email: email.lowercased(), name: name, locale: locale.rawValue, role: role.rawValue, active: 1, created_at: at.millis,
            time_zone: nil)
        memo?.forgetUsers()
        let id = try await insertReturningID("users", record)
        if let passwordHash { try await setPasswordHash(UserID(id), passwordHash, at: at) }
        var stored = record
        stored.id = id
        return stored.user()
    }

    /// Changes the attributes given; returns the user as stored.
    public func updateUser(_ id: UserID, _ changes: UserChanges) async throws -> User {
        _ = try await user(id)
        memo?.forgetUsers()
        let update = db.update("users")
        if let name = changes.name { update.set("name", to: name) }
        if let locale = changes.locale { update.set("locale", to: locale.rawValue) }
        if let role = changes.role { update.set("role", to: role.rawValue) }
        if let active = changes.active { update.set("active", to: active ? 1 : 0) }
        if let zone = changes.timeZone { update.set("time_zone", to: zone?.rawValue) }
        if changes.name != nil || changes.locale != nil || changes.role != nil || changes.active != nil || changes.timeZone != nil {
            try await update.where("id", .equal, id.rawValue).run()
        }
        return try await user(id)
    }

    /// Replaces a user's password hash.
    public func setPasswordHash(_ id: UserID, _ hash: String, at: Timestamp) async throws {
        memo?.forgetUsers()
        try await db.update("users").set("password_hash", to: hash).set("password_changed_at", to: at.millis).where("id", .equal, id.rawValue).run()
    }
}
