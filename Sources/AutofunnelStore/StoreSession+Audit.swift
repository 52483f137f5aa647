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

    /// A page of the audit log, newest first; `before` continues from a previous page.
    public func audit(before: Int64?, limit: Int, action: AuditEntry.Action? = nil, subject: UserID? = nil) async throws -> Page<AuditEntry> {
        let q = db.select().column(SQLNames(AuditRecord.columns)).from("audit_log")
        if let before { q.where("seq", .lessThan, before) }
        if let action { q.where("action", .equal, action.rawValue) }
        if let subject { q.where("subject_user_id", .equal, subject.rawValue) }
        let rows = try await q.orderBy("seq", .descending).limit(limit + 1).all(decoding: AuditRecord.self)
        let page = rows.prefix(limit)
        return Page(items: page.map { $0.entry() }, nextAfter: rows.count > limit ? page.last?.seq : nil)
    }
}
