import AutofunnelCore
import SQLKit

extension StoreSession {
    /// One page of a board column, newest arrivals in the stage first.
    public func boardColumn(_ query: BoardQuery, stage: StageKey, offset: Int, limit: Int) async throws -> [Deal] {
        let q = db.select().column(SQLNames(DealRecord.columns)).from("deals")
        narrow(q, to: query)
        return try await q.where("stage_key", .equal, stage.rawValue)
            .orderBy("stage_entered_at", .descending).orderBy("id", .descending)
            .offset(offset).limit(limit).all(decoding: DealRecord.self).map { try $0.deal() }
    }

    /// Count and sum of the board's open deals per stage and currency, in one grouped scan.
    public func boardTotals(_ query: BoardQuery) async throws -> [BoardTotal] {
        let q = db.select().column("stage_key").column("currency")
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            // A sum of amounts can pass 64 bits (SQLite then fails with "integer overflow"): it is summed in two parts
            // that cannot, and joined in 128 bits. PostgreSQL sums a bigint as numeric: the casts keep one decoding.
            .column(SQLRaw("CAST(SUM(amount / \(MoneyTotal.splitDivisor)) AS BIGINT)"), as: "high")
            .column(SQLRaw("CAST(SUM(amount % \(MoneyTotal.splitDivisor)) AS BIGINT)"), as: "low")
            .from("deals")
        narrow(q, to: query)
        return try await q.groupBy("stage_key").groupBy("currency").all().map { row in
            let code = try row.decodeNil(column: "currency") ? nil : try row.decode(column: "currency", as: String.self)
            let high = try row.decodeNil(column: "high") ? 0 : try row.decode(column: "high", as: Int64.self)
            let low = try row.decodeNil(column: "low") ? 0 : try row.decode(column: "low", as: Int64.self)
            return BoardTotal(
                stage: StageKey(try row.decode(column: "stage_key", as: String.self)), currency: code.flatMap(CurrencyCode.init),
                count: try row.decode(column: "n", as: Int.self),
                scaledUnits: MoneyTotal.joined(high: high, low: low))
        }
    }

    private func narrow(_ q: SQLSelectBuilder, to query: BoardQuery) {
        q.where("pipeline_key", .equal, query.pipeline.rawValue).where("status", .equal, DealStatus.open.rawValue)
            .where("deleted_at", .is, SQLLiteral.null)
        if let r = query.responsible { q.where("responsible_id", .equal, r.rawValue) }
        if let scope = query.scope { Self.restrict(q, to: scope) }
        if let tag = query.tag { q.where(SQLColumn("id"), .in, Self.carrying(.deal, tag)) }
        if let text = query.search, let terms = SearchTerms(text) {
            // The search index, as the search box uses it: deals whose title has the words, or whose contact's name has them.
            let deals = SearchIndex.deals
            let title: SQLQueryString =
                db.dialect.name == "sqlite" && terms.usesIndex
                ? """
                deals.id IN (SELECT rowid FROM \(ident: deals.fts) WHERE \(ident: deals.fts) MATCH \(bind: deals.match(terms, in: deals.columns))) \
                AND \(deals.condition(terms, in: deals.columns))
                """
                : deals.condition(terms, in: deals.columns)
            let contact: SQLQueryString = "contact_id IN (\(SearchIndex.contacts.matchingIDs(terms, in: ["search_name"], db)))"
            q.where(SQLQueryString("(\(title) OR \(contact))"))
        }
    }

    static func spellings(of text: String) -> [String] {
        let lower = text.lowercased()
        let capital = lower.prefix(1).uppercased() + lower.dropFirst()
        var out: [String] = []
        for s in [text, lower, capital, text.uppercased()] where !out.contains(s) { out.append(s) }
        return out
    }

    static func escapeLike(_ text: String) -> String {
        var out = ""
        for c in text {
            if c == "%" || c == "_" || c == "!" { out.append("!") }
            out.append(c)
        }
        return out
    }

    /// Open tasks per deal, for the deals given.
    public func openTaskCounts(deals: [DealID]) async throws -> [DealID: Int] {
        guard !deals.isEmpty else { return [:] }
        let rows = try await db.select().column("deal_id").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("tasks")
            .where("deal_id", .in, deals.map(\.rawValue)).where("status", .equal, DealTask.Status.open.rawValue)
            .groupBy("deal_id").all()
        var out: [DealID: Int] = [:]
        for row in rows { out[DealID(try row.decode(column: "deal_id", as: Int64.self))] = try row.decode(column: "n", as: Int.self) }
        return out
    }

    /// Names of the contacts given.
    public func contactNames(_ ids: [ContactID]) async throws -> [ContactID: String] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await db.select().column("id").column("name").from("contacts").where("id", .in, ids.map(\.rawValue)).all()
        var out: [ContactID: String] = [:]
        for row in rows { out[ContactID(try row.decode(column: "id", as: Int64.self))] = try row.decode(column: "name", as: String.self) }
        return out
    }

    /// Moves an open task's due time; its overdue timer moves with it.
    public func rescheduleTask(_ id: TaskID, dueAt: Timestamp, at: Timestamp) async throws -> DealTask {
        try await cancelTaskTimer(id)
        try await db.update("tasks").set("due_at", to: dueAt.millis).where("id", .equal, id.rawValue).run()
        let task = try await task(id)
        if task.status == .open && task.dueAt > at { try await insertTaskTimer(task, at: at) }
        return task
    }
}
