import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// `crm.stagehistory.list` for deals (`entityTypeId=2`): the stage log, which every report reads, as Bitrix24 lists
/// its stage history — `ID` (the log's position), `TYPE_ID` (1 created, 2 an intermediate stage, 3 a final one, 5 the
/// deal came from another pipeline), `OWNER_ID`, `CREATED_TIME`, `CATEGORY_ID`, `STAGE_SEMANTIC_ID`, `STAGE_ID`.
/// Only deals the caller may see. Filters `OWNER_ID` (up to 50 deals), `ID` with `>`, `>=`, `<`, `<=`, `=`, and
/// `CATEGORY_ID`; `order[ID]`; 50 a page from `start`. Without `OWNER_ID` the log is walked in id order and not
/// counted (no `total`: page on with `filter[>ID]`, as Bitrix24 advises for big lists), and `start` stops at
/// `historyMaxStart`.
extension Bitrix24Methods {
    /// Log entries read per step when the whole log is walked.
    static let historyStep = 1000
    /// The furthest `start` when the whole log is walked.
    static let historyMaxStart = 10_000

    func stageHistory(_ p: JSONValue) async throws -> Bitrix24Reply {
        guard p[lenient: "entityTypeId"]?.lenientInt == 2 else {
            throw Bitrix24Error.invalid("entityTypeId: only deals (2) have a stage history here")
        }
        let (offset, counts) = Self.start(p)
        var owners: [Int64]?
        var bounds: [(OffsetListQuery.Comparison, Int64)] = []
        var category: Int64?
        for (raw, value) in (p[lenient: "filter"] ?? .null).lenientObject {
            let k = try Bitrix24Filter.Key(raw, value, zone: services.auth.timeZone)
            let (comparison, numbers) = (k.comparison, try k.numbers())
            switch (k.field, comparison) {
            case ("OWNER_ID", .equal), ("OWNER_ID", .oneOf):
                guard numbers.count <= Self.pageSize else { throw Bitrix24Error.invalid("filter[\(raw)]: at most \(Self.pageSize) deals") }
                owners = numbers
            case ("ID", .equal), ("ID", .greater), ("ID", .greaterOrEqual), ("ID", .less), ("ID", .lessOrEqual):
                bounds += numbers.map { (comparison, $0) }
            case ("CATEGORY_ID", .equal): category = numbers.first
            default: throw Bitrix24Error.invalid("filter[\(raw)]: not a filter this server applies to the stage history")
            }
        }
        let descending = (p[lenient: "order"]?[lenient: "ID"]?.lenientText?.uppercased() ?? "ASC") == "DESC"
        if owners == nil {
            if descending { throw Bitrix24Error.invalid("order[ID]=DESC needs filter[OWNER_ID]: the whole history is listed oldest first") }
            if offset > Self.historyMaxStart {
                throw Bitrix24Error.invalid("start: at most \(Self.historyMaxStart) here; page on with filter[>ID]")
            }
        }
        let principal = self.principal
        let (entries, catalog) = try await store.read { [owners, bounds, category] s -> ([StageLogEntry], Bitrix24Catalog) in
            let catalog = Bitrix24Catalog(pipelines: try await s.pipelines())
            var seen: [DealID: Bool] = [:]
            func visible(_ id: DealID) async throws -> Bool {
                if let known = seen[id] { return known }
                let sees = (try? await s.deal(id)).map { principal.sees($0) } ?? false
                seen[id] = sees
                return sees
            }
            func kept(_ e: StageLogEntry) -> Bool {
                let inCategory = category.map { catalog.category(of: e.pipeline)?.id == $0 } ?? true
                return inCategory
                    && bounds.allSatisfy { (c, n) in
                        switch c {
                        case .greater: e.seq > n
                        case .greaterOrEqual: e.seq >= n
                        case .less: e.seq < n
                        case .lessOrEqual: e.seq <= n
                        default: e.seq == n
                        }
                    }
            }
            var out: [StageLogEntry] = []
            if let owners {
                for id in Set(owners).sorted() where try await visible(DealID(id)) {
                    out += try await s.stageLog(deal: DealID(id)).filter(kept)
                }
                return (out, catalog)
            }
            // The whole log, walked in steps, until the page asked and one row more are found.
            var after: Int64? = nil
            while out.count < offset + Self.pageSize + 1 {
                let step = try await s.stageLog(pipeline: nil, after: after, limit: Self.historyStep)
                for e in step.items where kept(e) { if try await visible(e.deal) { out.append(e) } }
                guard let next = step.nextAfter else { break }
                after = next
            }
            return (out, catalog)
        }
        let sorted = entries.sorted { descending ? $0.seq > $1.seq : $0.seq < $1.seq }
        let rows = Array(sorted.dropFirst(offset).prefix(Self.pageSize).map { Self.historyRow($0, catalog: catalog) })
        if owners != nil, counts { return Self.page(rows, offset: offset, total: sorted.count).wrappingItems() }
        let more = owners == nil && sorted.count > offset + Self.pageSize
        return Bitrix24Reply(result: .object(["items": .array(rows)]), next: more ? offset + Self.pageSize : nil)
    }

    /// One entry as Bitrix24 writes it.
    static func historyRow(_ e: StageLogEntry, catalog: Bitrix24Catalog) -> JSONValue {
        let category = catalog.category(of: e.pipeline)
        let stage = category?.pipeline.stage(e.to)
        let type: Int
        if e.from == nil {
            type = e.cause == "copy" ? 5 : 1
        } else {
            type = stage?.outcome == nil ? 2 : 3
        }
        return .object([
            "ID": .number(Double(e.seq)), "TYPE_ID": .number(Double(type)), "OWNER_ID": .number(Double(e.deal.rawValue)),
            "CREATED_TIME": iso(e.at), "CATEGORY_ID": category.map { .number(Double($0.id)) } ?? .null,
            "STAGE_SEMANTIC_ID": stage.map { .string(Bitrix24Catalog.semantics($0)) } ?? .null,
            "STAGE_ID": stage.flatMap { s in category.map { .string(Bitrix24Catalog.stageID(s, in: $0)) } } ?? .string(e.to.rawValue),
        ])
    }
}

extension Bitrix24Reply {
    /// The list under `result.items`, as `crm.stagehistory.list` (and the newer `crm.item.*` calls) answer.
    func wrappingItems() -> Bitrix24Reply {
        var reply = self
        reply.result = .object(["items": result])
        return reply
    }
}
