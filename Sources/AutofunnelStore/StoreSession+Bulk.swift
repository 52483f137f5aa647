import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Inserts many deals (`insertRows`) and returns them with their ids, in order. Used by the history generator and
    /// an import, whose deals are history being loaded, not moves being made.
    ///
    /// `enteredMasks` (one per deal) are the masks of stage-log rows the caller appends with `appendStageLogRows`;
    /// without them every mask starts at 0 and `bulkAppendStageLog` sets it.
    public func bulkInsertDeals(_ deals: [Deal], enteredMasks: [Int64]? = nil) async throws -> [Deal] {
        precondition(enteredMasks == nil || enteredMasks?.count == deals.count, "one mask per deal")
        let rows = deals.enumerated().map { (i, deal) in
            let r = DealRecord(deal)
            var values: [SQLValue] = [
                .text(r.lineage_id), .text(r.pipeline_key), .text(r.stage_key), .text(r.status), .text(r.title), SQLValue(r.amount),
                SQLValue(r.currency), SQLValue(r.responsible_id), SQLValue(r.head_of_sales_id), SQLValue(r.contact_id), SQLValue(r.company_id),
                SQLValue(r.source), .text(r.fields), SQLValue(r.loss_comment), SQLValue(r.copied_from_id), .integer(r.created_at),
                .integer(r.updated_at), .integer(r.stage_entered_at), SQLValue(r.closed_at), .text(SearchText.deal(title: r.title)),
            ]
            if let masks = enteredMasks { values.append(.integer(masks[i])) }
            return values
        }
        let columns = Array(DealRecord.columns.dropFirst()) + ["search_text"] + (enteredMasks == nil ? [] : ["entered_mask"])
        let ids = try await insertRows(into: "deals", columns: columns, rows: rows, returningIDs: true, rowsPerStatement: 500)
        try faults.check(.afterDealInsert)
        guard ids.count == deals.count else { throw StoreError.corrupt("bulk insert lost a deal") }
        return zip(deals, ids).map { deal, id in
            var deal = deal
            deal.id = DealID(id)
            return deal
        }
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
    /// very rows (`bulkInsertDeals(_:enteredMasks:)`): an import's new deals, whose masks are
    /// computed with their log instead of read back from it.
    public func appendStageLogRows(_ entries: [StageLogEntry]) async throws {
        for start in stride(from: 0, to: entries.count, by: 1000) { try await insertStageLogRows(entries[start..<min(start + 1000, entries.count)]) }
    }

    /// Inserts stage-log rows (`insertRows`); the caller keeps the entered-stage masks.
    func insertStageLogRows(_ chunk: ArraySlice<StageLogEntry>) async throws {
        let rows: [[SQLValue]] = chunk.map { e in
            [
                .integer(e.deal.rawValue), .text(e.lineage.rawValue), .text(e.pipeline.rawValue), SQLValue(e.from?.rawValue), .text(e.to.rawValue),
                .integer(e.at.millis), SQLValue(e.actor.userID?.rawValue), .text(e.actor.kind.rawValue), SQLValue(e.cause),
                SQLValue(e.responsible?.rawValue), SQLValue(e.amount?.scaledUnits), SQLValue(e.amount?.currency.code),
                .integer(e.dealCreatedAt.millis),
            ]
        }
        let columns = [
            "deal_id", "lineage_id", "pipeline_key", "from_stage", "to_stage", "at", "actor_id", "actor_kind", "cause", "responsible_id", "amount",
            "currency", "deal_created_at",
        ]
        _ = try await insertRows(into: "stage_log", columns: columns, rows: rows)
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
    /// Inserts many contacts (`insertRows`), search text included (benchmarks); returns their ids in order.
    public func bulkInsertContacts(_ contacts: [Contact]) async throws -> [ContactID] {
        let rows: [[SQLValue]] = contacts.map { c in
            let r = ContactRecord(c)
            return [
                .text(r.name), .text(r.phones), .text(r.emails), SQLValue(r.company_id), .text(r.fields), SQLValue(r.segment), .integer(r.created_at),
                .integer(r.updated_at), .text(SearchText.fold(r.name)), .text(r.searchDetails),
            ]
        }
        let columns = ["name", "phones", "emails", "company_id", "fields", "segment", "created_at", "updated_at", "search_name", "search_more"]
        return try await insertRows(into: "contacts", columns: columns, rows: rows, returningIDs: true, rowsPerStatement: 500).map {
            ContactID($0)
        }
    }
}
