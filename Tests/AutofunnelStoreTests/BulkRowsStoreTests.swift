import AutofunnelCore
import AutofunnelStore
import AutofunnelTestSupport
import Testing

/// Bulk inserts (an import's deals, stage log and external ids) on every database: prepared once and run per row on
/// SQLite, many rows a statement on PostgreSQL; the same rows and ids either way.
@Suite("Store: bulk inserts")
struct BulkRowsStoreTests {
    @Test(arguments: StoreTarget.available)
    func eachDealGetsItsOwnIdInOrderWithItsNullsAndValues(target: StoreTarget) async throws {
        try await target.withStore { store in
            let pipeline = try Fixtures.salesDefinition().validated(knownFields: FieldCatalog()).get()
            try await store.write { s in try await s.savePipeline(pipeline, at: Fixtures.t0) }
            // 1,500 deals cross PostgreSQL's 1,000 rows a statement; the first has no amount (a NULL where later rows
            // bind a value), and two share a lineage, which an insert that matched its rows by lineage could not tell apart.
            let deals = (1...1_500).map { i in
                var deal = Fixtures.deal(id: 0)
                deal.lineage = LineageID(i == 2 ? "lineage-1" : "lineage-\(i)")
                deal.title = "Сделка №\(i)"
                deal.amount = i % 2 == 1 ? nil : Money(scaledUnits: Int64(i) * 10_000, currency: CurrencyCode("RUB")!)
                return deal
            }
            let stored = try await store.write { s in try await s.bulkInsertDeals(deals) }
            #expect(stored.count == 1_500)
            #expect(Set(stored.map(\.id)).count == 1_500)
            let read = try await store.read { s in try await stored.asyncMap { try await s.deal($0.id) } }
            #expect(read.map(\.title) == deals.map(\.title))
            #expect(read.map(\.amount) == deals.map(\.amount))
            #expect(read.map(\.lineage) == deals.map(\.lineage))
        }
    }

    @Test(arguments: StoreTarget.available)
    func anExternalIdLinkedTwiceKeepsItsFirstRecord(target: StoreTarget) async throws {
        try await target.withStore { store in
            try await store.write { s in
                try await s.linkExternalIDs(.deal, source: "amocrm", [("a", 1, Fixtures.t0), ("b", 2, Fixtures.t0)])
                try await s.linkExternalIDs(.deal, source: "amocrm", [("b", 20, Fixtures.t0), ("c", 3, Fixtures.t0)])
            }
            let ids = try await store.read { s in try await s.localIDs(.deal, source: "amocrm", externalIDs: ["a", "b", "c", "d"]) }
            #expect(ids == ["a": 1, "b": 2, "c": 3])
        }
    }
}

extension Array where Element: Sendable {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
