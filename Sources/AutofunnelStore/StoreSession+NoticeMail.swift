import AutofunnelCore
import SQLKit

extension StoreSession {
    private struct NoticeMailRecord: Codable {
        var user_id: Int64
        var kinds: String
        var last_sent_at: Int64?
        var last_notice_id: Int64

        func mail() -> NoticeMail {
            NoticeMail(
                user: UserID(user_id), kinds: Set(kinds.split(separator: ",").compactMap { Notice.Kind(rawValue: String($0)) }),
                lastSentAt: last_sent_at.map { Timestamp(millis: $0) }, lastNoticeID: last_notice_id)
        }
    }

    /// How many unread notices a user has: the bell's number.
    public func unreadNoticeCount(user: UserID) async throws -> Int {
        let row = try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("notices")
            .where("user_id", .equal, user.rawValue).where("read_at", .is, SQLLiteral.null).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Marks every unread notice of a user read.
    public func markAllNoticesRead(user: UserID, at: Timestamp) async throws {
        try await db.update("notices").set("read_at", to: at.millis).where("user_id", .equal, user.rawValue)
            .where("read_at", .is, SQLLiteral.null).run()
    }

    /// A user's e-mail choice; none chosen is an empty set.
    public func noticeMail(user: UserID) async throws -> NoticeMail {
        let row = try await db.select().columns("user_id", "kinds", "last_sent_at", "last_notice_id").from("notice_mail")
            .where("user_id", .equal, user.rawValue).first(decoding: NoticeMailRecord.self)
        return row?.mail() ?? NoticeMail(user: user, kinds: [])
    }

    /// Sets which notices a user also gets by e-mail; the digest state is kept.
    public func setNoticeMail(user: UserID, kinds: Set<Notice.Kind>) async throws {
        let text = kinds.map(\.rawValue).sorted().joined(separator: ",")
        let exists = try await db.select().column("user_id").from("notice_mail").where("user_id", .equal, user.rawValue).first() != nil
        if exists {
            try await db.update("notice_mail").set("kinds", to: text).where("user_id", .equal, user.rawValue).run()
        } else {
            try await db.insert(into: "notice_mail").columns("user_id", "kinds", "last_notice_id")
                .values(SQLBind(user.rawValue), SQLBind(text), SQLBind(Int64(0))).run()
        }
    }

    /// The users who chose some notices by e-mail, their rows locked on PostgreSQL so that two servers never send the
    /// same digest.
    public func noticeMailSubscribers() async throws -> [NoticeMail] {
        let q = db.select().columns("user_id", "kinds", "last_sent_at", "last_notice_id").from("notice_mail").where("kinds", .notEqual, "")
            .orderBy("user_id")
        if db.dialect.name == "postgresql" { q.for(.update) }
        return try await q.all(decoding: NoticeMailRecord.self).map { $0.mail() }
    }

    /// Unread notices of a user after a notice id, oldest first.
    public func unreadNotices(user: UserID, after id: Int64, limit: Int) async throws -> [Notice] {
        try await db.select().columns("id", "user_id", "deal_id", "task_id", "kind", "text", "created_at", "read_at").from("notices")
            .where("user_id", .equal, user.rawValue).where("read_at", .is, SQLLiteral.null).where("id", .greaterThan, id)
            .orderBy("id").limit(limit).all(decoding: NoticeRecord.self).map { $0.notice() }
    }

    /// Records how far a user's digests got: the notices up to `lastNoticeID` are dealt with, and `at` is when the
    /// last digest went out (nil: none yet).
    public func markNoticeDigest(user: UserID, at: Timestamp?, lastNoticeID: Int64) async throws {
        try await db.update("notice_mail").set("last_sent_at", to: at?.millis).set("last_notice_id", to: lastNoticeID)
            .where("user_id", .equal, user.rawValue).run()
    }
}
