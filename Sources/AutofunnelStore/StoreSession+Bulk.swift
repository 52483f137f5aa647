import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Inserts many deals with one statement per 500 and returns them with their ids. Used by the history generator and
    /// an import, whose deals are history being loaded, not moves being made. No two of `deals` may share a lineage
    /// and a pipeline: the ids come back keyed by them.
    ///
    /// `enteredMasks` (one per deal) are the masks of stage-log rows the caller appends with `appendStageLogRows`;
    /// without them every mask starts at 0 and `bulkAppendStageLog` sets it.
    public func bulkInsertDeals(_ deals: [Deal], enteredMasks: [Int64]? = nil) async throws -> [Deal] {
        precondition(enteredMasks == nil || enteredMasks?.count == deals.count, "one mask per deal")
        var out: [Deal] = []
        out.reserveCapacity(deals.count)
        for start in stride(from: 0, to: deals.count, by: 500) {
            let chunk = Array(deals[start..<min(start + 500, deals.count)])
            let insert = db.insert(into: "deals").columns(
                Array(DealRecord.columns.dropFirst()) + ["search_text"] + (enteredMasks == nil ? [] : ["entered_mask"]))
            for (offset, deal) in chunk.enumerated() {
                let r = DealRecord(deal)
                var values: [any SQLExpression] = [
                    SQLBind(r.lineage_id), SQLBind(r.pipeline_key), SQLBind(r.stage_key), SQLBind(r.status), SQLBind(r.title), SQLBind(r.amount),
                    SQLBind(r.currency), SQLBind(r.responsible_id), SQLBind(r.head_of_sales_id), SQLBind(r.contact_id), SQLBind(r.company_id),
                    SQLBind(r.source), SQLBind(r.fields), SQLBind(r.loss_comment), SQLBind(r.copied_from_id), SQLBind(r.created_at),
                    SQLBind(r.updated_at), SQLBind(r.stage_entered_at), SQLBind(r.closed_at), SQLBind(SearchText.deal(title: r.title)),
                ]
                if let masks = enteredMasks { values.append(SQLBind(masks[start + offset])) }
                insert.values(values)
            }
            // Rows come back keyed by lineage and pipeline, which the generator keeps unique, so the order of RETURNING does not matter.
            var ids: [String: Int64] = [:]
            for row in try await insert.returning("id", "lineage_id", "pipeline_key").all() {
                let key = try row.decode(column: "lineage_id", as: String.self) + "/" + row.decode(column: "pipeline_key", as: String.self)
                ids[key] = try row.decode(column: "id", as: Int64.self)
            }
            try faults.check(.afterDealInsert)
            for var deal in chunk {
                guard let id = ids[deal.lineage.rawValue + "/" + deal.pipeline.rawValue] else { throw StoreError.corrupt("bulk insert lost a deal") }
                deal.id = DealID(id)
                out.append(deal)
            }
        }
        return out
    }

    /// Appends many stage-log rows, 1,000 per statement, and updates the entered-stage masks of their deals.
    public func bulkAppendStageLog(_ entries: [StageLogEntry]) async throws {
        for start in stride(from: 0, to: entries.count, by: 1000) {
            let chunk = entries[start..<min(start + 1000, entries.count)]
            try await insertStageLogRows(chunk)
            try await Self.refreshEnteredMasks(Array(Set(chunk.map(\.deal.rawValue))), db)
        }
    }

    /// Appends stage-log rows of deals this transaction inserted with their entered-stage masks already set from these
    /// very rows (`bulkInsertDeals(_:enteredMasks:)`), 1,000 per statement: an import's new deals, whose masks are
    /// computed with their log instead of read back from it.
    public func appendStageLogRows(_ entries: [StageLogEntry]) async throws {
        for start in stride(from: 0, to: entries.count, by: 1000) { try await insertStageLogRows(entries[start..<min(start + 1000, entries.count)]) }
    }

    /// Inserts stage-log rows in one statement; the caller keeps the entered-stage masks.
    func insertStageLogRows(_ chunk: ArraySlice<StageLogEntry>) async throws {
        let rows: [[any Encodable & Sendable]] = chunk.map { e in
            [
                e.deal.rawValue, e.lineage.rawValue, e.pipeline.rawValue, e.from?.rawValue, e.to.rawValue, e.at.millis, e.actor.userID?.rawValue,
                e.actor.kind.rawValue, e.cause, e.responsible?.rawValue, e.amount?.scaledUnits, e.amount?.currency.code, e.dealCreatedAt.millis,
            ]
        }
        let columns = SQLNames(
            "deal_id", "lineage_id", "pipeline_key", "from_stage", "to_stage", "at", "actor_id", "actor_kind", "cause", "responsible_id", "amount",
            "currency", "deal_created_at")
        try await db.raw(insertStatement(into: "stage_log", columns: columns, rows: rows)).run()
    }
}

extension StoreSession {
    /// Inserts many time-in-stage timers, 1,000 per statement (benchmarks).
    public func bulkInsertTimers(_ timers: [(deal: DealID, stage: StageKey, rule: String, dueAt: Timestamp)], at: Timestamp) async throws {
        for start in stride(from: 0, to: timers.count, by: 1000) {
            let insert = db.insert(into: "timers").columns("deal_id", "stage_key", "rule_key", "due_at", "created_at", "occurrence")
            for t in timers[start..<min(start + 1000, timers.count)] {
                insert.values(
                    SQLBind(t.deal.rawValue), SQLBind(t.stage.rawValue), SQLBind(t.rule), SQLBind(t.dueAt.millis), SQLBind(at.millis),
                    SQLBind(TimerRecord.newOccurrence()))
            }
            try await insert.run()
        }
    }
}

extension StoreSession {
    /// Inserts many contacts, 500 per statement, search text included (benchmarks); returns their ids.
    public func bulkInsertContacts(_ contacts: [Contact]) async throws -> [ContactID] {
        var out: [ContactID] = []
        out.reserveCapacity(contacts.count)
        for start in stride(from: 0, to: contacts.count, by: 500) {
            let rows: [[any Encodable & Sendable]] = contacts[start..<min(start + 500, contacts.count)].map { c in
                let r = ContactRecord(c)
                return [
                    r.name, r.phones, r.emails, r.company_id, r.fields, r.segment, r.created_at, r.updated_at, SearchText.fold(r.name),
                    r.searchDetails,
                ]
            }
            let columns = SQLNames(
                "name", "phones", "emails", "company_id", "fields", "segment", "created_at", "updated_at", "search_name", "search_more")
            for row in try await db.raw(insertStatement(into: "contacts", columns: columns, rows: rows) + " RETURNING id").all() {
                out.append(ContactID(try row.decode(column: "id", as: Int64.self)))
            }
        }
        return out
    }
}
