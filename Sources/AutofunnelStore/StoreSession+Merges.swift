import AutofunnelCore
import SQLKit

/// The writes of merging one contact (or company) into another, each a statement of the caller's transaction.
extension StoreSession {
    /// The record a merged id was merged into (after every later merge), or nil when it was never merged.
    public func mergedInto(_ table: PartyTable, id: Int64) async throws -> Int64? {
        let row = try await db.select().column("kept_id").from("merged_records").where("kind", .equal, table.rawValue)
            .where("merged_id", .equal, id).first()
        return try row.map { try $0.decode(column: "kept_id", as: Int64.self) }
    }

    /// Points every deal (open, closed or deleted: history reads the link) of `from` at `to`, the record's own notes, and
    /// for companies every contact too; returns the deals moved, lowest id first.
    public func moveLinks(_ table: PartyTable, from: Int64, to: Int64) async throws -> [DealID] {
        let deals = try await db.select().column("id").from(DealRecord.table).where(table.dealColumn, .equal, from).orderBy("id").all()
            .map { try $0.decode(column: "id", as: Int64.self) }
        for id in deals { memo?.forget(table: DealRecord.table, id: id) }
        try await db.update(DealRecord.table).set(table.dealColumn, to: to).where(table.dealColumn, .equal, from).run()
        if table == .companies {
            let contacts = try await db.select().column("id").from(ContactRecord.table).where("company_id", .equal, from).all()
            for row in contacts { memo?.forget(table: ContactRecord.table, id: try row.decode(column: "id", as: Int64.self)) }
            try await db.update(ContactRecord.table).set("company_id", to: to).where("company_id", .equal, from).run()
        } else {
            // An unsubscribe of either stays an unsubscribe of the one kept.
            let channels = try await db.select().column("channel").column("at").from("unsubscribes").where("contact_id", .equal, from).all()
            for row in channels {
                try await unsubscribe(
                    contact: ContactID(to), channel: try row.decode(column: "channel", as: String.self),
                    at: Timestamp(millis: try row.decode(column: "at", as: Int64.self)))
            }
            try await db.delete(from: "unsubscribes").where("contact_id", .equal, from).run()
        }
        let noteOwner = table == .contacts ? "contact_id" : "company_id"
        try await db.update("notes").set(noteOwner, to: to).where(noteOwner, .equal, from).run()
        let kind: ExternalKind = table == .contacts ? .contact : .company
        try await db.update("external_ids").set("local_id", to: to).where("kind", .equal, kind.rawValue).where("local_id", .equal, from).run()
        return deals.map(DealID.init(rawValue:))
    }

    /// Records that `merged` now answers as `kept`, and points earlier merges into `merged` at `kept` too.
    public func recordMerge(_ table: PartyTable, merged: Int64, kept: Int64, at: Timestamp) async throws {
        try await db.update("merged_records").set("kept_id", to: kept).where("kind", .equal, table.rawValue).where("kept_id", .equal, merged).run()
        try await db.insert(into: "merged_records").columns("kind", "merged_id", "kept_id", "merged_at")
            .values(SQLBind(table.rawValue), SQLBind(merged), SQLBind(kept), SQLBind(at.millis)).run()
    }

    /// The deals of a contact or company (any status, live), lowest id first, at most `limit`.
    public func dealIDs(using table: PartyTable, id: Int64, limit: Int) async throws -> [DealID] {
        try await db.select().column("id").from(DealRecord.table).where(table.dealColumn, .equal, id).where("deleted_at", .is, SQLLiteral.null)
            .orderBy("id").limit(limit).all().map { DealID(try $0.decode(column: "id", as: Int64.self)) }
    }
}

extension StoreSession {
    /// The live contact with this id, or, for the id of a contact merged away, the contact it was merged into: an old
    /// id keeps answering (`notFound` only for ids that never were, or were deleted without a merge).
    public func contact(resolving id: ContactID) async throws -> Contact {
        do {
            return try await contact(id)
        } catch StoreError.notFound {
            guard let kept = try await mergedInto(.contacts, id: id.rawValue) else {
                throw StoreError.notFound(entity: "contact", id: id.description)
            }
            return try await contact(ContactID(kept))
        }
    }

    /// The live company with this id, or the one a merged id was merged into (see `contact(resolving:)`).
    public func company(resolving id: CompanyID) async throws -> Company {
        do {
            return try await company(id)
        } catch StoreError.notFound {
            guard let kept = try await mergedInto(.companies, id: id.rawValue) else {
                throw StoreError.notFound(entity: "company", id: id.description)
            }
            return try await company(CompanyID(kept))
        }
    }
}
