import AutofunnelCore
import SQLKit

extension StoreSession {
    /// The contact with this id; `forUpdate` locks its row until the transaction ends (PostgreSQL), so that linking it
    /// to a deal and deleting it cannot both succeed.
    public func contact(_ id: ContactID, forUpdate: Bool = false) async throws -> Contact {
        try await liveRecord(ContactRecord.self, id: id.rawValue, forUpdate: forUpdate).contact()
    }

    /// Stores a new contact and returns it with its id.
    public func insertContact(_ c: Contact) async throws -> Contact {
        var stored = c
        stored.id = ContactID(try await insertLive(ContactRecord(c)))
        return stored
    }

    /// Writes every attribute of the contact.
    public func updateContact(_ c: Contact) async throws { try await updateLive(ContactRecord(c), id: c.id.rawValue) }

    /// A page of contacts ordered by id, optionally those whose name contains `query`, those carrying the tag with key `tag`.
    public func contacts(matching query: String?, tag: String? = nil, after: Int64?, limit: Int) async throws -> Page<Contact> {
        let page = try await livePage(ContactRecord.self, after: after, limit: limit) { q in
            if let tag { q.where(SQLColumn("id"), .in, Self.carrying(.contact, tag)) }
            if let query, !query.isEmpty {
                q.where(SQLFunction("LOWER", args: SQLColumn("name")), .like, SQLBind("%" + query.lowercased() + "%"))
            }
        }
        return Page(items: try page.records.map { try $0.contact() }, nextAfter: page.nextAfter)
    }

    /// The company with this id; `forUpdate` locks its row as `contact(_:forUpdate:)` does.
    public func company(_ id: CompanyID, forUpdate: Bool = false) async throws -> Company {
        try await liveRecord(CompanyRecord.self, id: id.rawValue, forUpdate: forUpdate).company()
    }

    /// The contact a deal links to, also when it was deleted since: a closed deal keeps its link, and its card and
    /// history still read.
    public func linkedContact(_ id: ContactID) async throws -> Contact {
        try await linkedRecord(ContactRecord.self, id: id.rawValue).contact()
    }

    /// The company a deal links to, also when it was deleted since (see `linkedContact`).
    public func linkedCompany(_ id: CompanyID) async throws -> Company {
        try await linkedRecord(CompanyRecord.self, id: id.rawValue).company()
    }

    /// The contacts deals link to, by id, also deleted ones (see `linkedContact`): one query for a page of deals.
    public func linkedContacts(_ ids: [ContactID]) async throws -> [ContactID: Contact] {
        var out: [ContactID: Contact] = [:]
        for (id, record) in try await records(ContactRecord.self, ids: ids.map(\.rawValue), liveOnly: false) {
            out[ContactID(id)] = try record.contact()
        }
        return out
    }

    /// The companies deals or contacts link to, by id, also deleted ones (see `linkedContact`).
    public func linkedCompanies(_ ids: [CompanyID]) async throws -> [CompanyID: Company] {
        var out: [CompanyID: Company] = [:]
        for (id, record) in try await records(CompanyRecord.self, ids: ids.map(\.rawValue), liveOnly: false) {
            out[CompanyID(id)] = try record.company()
        }
        return out
    }

    /// The live record, or else the deleted one: deletion is soft, so only an id that never existed is not found.
    private func linkedRecord<R: LiveRecord>(_ type: R.Type, id: Int64) async throws -> R {
        do {
            return try await liveRecord(R.self, id: id)
        } catch StoreError.notFound {
            let query: SQLQueryString = "SELECT \(SQLNames(R.columns)) FROM \(SQLNames(R.table)) WHERE id = \(bind: id)"
            guard let record = try await db.raw(query).first(decoding: R.self) else { throw StoreError.notFound(entity: R.entity, id: String(id)) }
            return record
        }
    }

    /// The open deals (at most `limit`, lowest id first) that link to this contact or company.
    public func openDeals(using table: PartyTable, id: Int64, limit: Int) async throws -> [DealID] {
        try await db.select().column("id").from(DealRecord.table).where(table.dealColumn, .equal, id)
            .where("status", .equal, DealStatus.open.rawValue).where("deleted_at", .is, SQLLiteral.null)
            .orderBy("id").limit(limit).all().map { DealID(try $0.decode(column: "id", as: Int64.self)) }
    }

    /// Stores a new company and returns it with its id.
    public func insertCompany(_ c: Company) async throws -> Company {
        var stored = c
        stored.id = CompanyID(try await insertLive(CompanyRecord(c)))
        return stored
    }

    /// Writes every attribute of the company.
    public func updateCompany(_ c: Company) async throws { try await updateLive(CompanyRecord(c), id: c.id.rawValue) }

    /// A page of companies ordered by id, optionally those carrying the tag with key `tag`.
    public func companies(tag: String? = nil, after: Int64?, limit: Int) async throws -> Page<Company> {
        let page = try await livePage(CompanyRecord.self, after: after, limit: limit) { q in
            if let tag { q.where(SQLColumn("id"), .in, Self.carrying(.company, tag)) }
        }
        return Page(items: try page.records.map { try $0.company() }, nextAfter: page.nextAfter)
    }

    /// Marks a contact or company deleted; deals keep pointing at it for history. The row is locked first (PostgreSQL),
    /// so a caller's earlier check of it (no open deal uses it) holds until the transaction ends.
    public func softDelete(_ table: PartyTable, id: Int64, at: Timestamp) async throws {
        let found = try await db.select().column("id").from(table.rawValue).where("id", .equal, id).where("deleted_at", .is, SQLLiteral.null)
            .lockingClause(SQLLockingClause.update).first()
        guard found != nil else { throw StoreError.notFound(entity: table.entity, id: String(id)) }
        memo?.forget(table: table.rawValue, id: id)
        try await db.update(table.rawValue).set("deleted_at", to: at.millis).where("id", .equal, id).run()
        try await removeAllTags(table == .contacts ? .contact : .company, id: id)
    }

    func insertReturningID(_ table: String, _ model: some Encodable & Sendable) async throws -> Int64 {
        let row = try await db.raw(insertStatement(into: table, model) + " RETURNING id").first()
        guard let id = try row?.decode(column: "id", as: Int64.self) else { throw StoreError.corrupt("insert into \(table) returned no id") }
        return id
    }
}
