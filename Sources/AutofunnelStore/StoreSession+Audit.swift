import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Appends to the audit log; the store offers no way to change or remove a line.
    public func appendAudit(_ e: AuditEntry) async throws {
        let record = AuditRecord(
            seq: nil, at: e.at.millis, action: e.action.rawValue, actor_id: e.actor?.rawValue, subject_user_id: e.subject?.rawValue,
            email: e.email, ip: e.ip, detail: e.detail)
        try await db.raw(insertStatement(into: "audit_log", record)).run()
    }

    /// A page of the audit log, newest first, of the lines `filter` lets through; `before` continues from a previous page.
    public func audit(before: Int64?, limit: Int, _ filter: AuditFilter = AuditFilter()) async throws -> Page<AuditEntry> {
        let q = db.select().column(SQLNames(AuditRecord.columns)).from("audit_log")
        if let before { q.where("seq", .lessThan, before) }
        if let action = filter.action { q.where("action", .equal, action.rawValue) }
        if let subject = filter.subject { q.where("subject_user_id", .equal, subject.rawValue) }
        if let actor = filter.actor { q.where("actor_id", .equal, actor.rawValue) }
        if let from = filter.from { q.where("at", .greaterThanOrEqual, from.millis) }
        if let until = filter.until { q.where("at", .lessThan, until.millis) }
        let rows = try await q.orderBy("seq", .descending).limit(limit + 1).all(decoding: AuditRecord.self)
        let page = rows.prefix(limit)
        return Page(items: page.map { $0.entry() }, nextAfter: rows.count > limit ? page.last?.seq : nil)
    }

    /// Each user's last successful sign-in, as the audit log recorded it.
    public func lastSignIns() async throws -> [UserID: Timestamp] {
        let rows = try await db.select().column("subject_user_id").column(SQLFunction("MAX", args: SQLIdentifier("at")), as: "last").from("audit_log")
            .where("action", .equal, AuditEntry.Action.login.rawValue).where("subject_user_id", .isNot, SQLLiteral.null).groupBy("subject_user_id")
            .all()
        var out: [UserID: Timestamp] = [:]
        for row in rows {
            out[UserID(try row.decode(column: "subject_user_id", as: Int64.self))] = Timestamp(millis: try row.decode(column: "last", as: Int64.self))
        }
        return out
    }
}
