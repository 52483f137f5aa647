import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Gives a user a calendar feed with this secret's hash, replacing the one they had (its address stops working).
    public func replaceCalendarFeed(user: UserID, secretHash: String, at: Timestamp) async throws {
        try await deleteCalendarFeed(user: user)
        try await db.insert(into: "calendar_feeds").columns("user_id", "secret_hash", "created_at")
            .values(SQLBind(user.rawValue), SQLBind(secretHash), SQLBind(at.millis)).run()
    }

    /// Ends a user's calendar feed, if they had one.
    public func deleteCalendarFeed(user: UserID) async throws {
        try await db.delete(from: "calendar_feeds").where("user_id", .equal, user.rawValue).run()
    }

    /// When the user's calendar feed was made, nil when they have none.
    public func calendarFeedCreated(user: UserID) async throws -> Timestamp? {
        let row = try await db.select().column("created_at").from("calendar_feeds").where("user_id", .equal, user.rawValue).first()
        return try row.map { Timestamp(millis: try $0.decode(column: "created_at", as: Int64.self)) }
    }

    /// Whose calendar feed has this secret's hash.
    public func calendarFeedUser(secretHash: String) async throws -> UserID? {
        let row = try await db.select().column("user_id").from("calendar_feeds").where("secret_hash", .equal, secretHash).first()
        return try row.map { UserID(try $0.decode(column: "user_id", as: Int64.self)) }
    }
}
