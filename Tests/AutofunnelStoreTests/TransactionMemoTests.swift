import AutofunnelCore
import AutofunnelStore
import AutofunnelTestSupport
import Testing

/// A write transaction remembers the deals, contacts and endpoints it read or wrote, so a rule cascade reads a deal
/// once; these tests hold it to what the database itself would answer inside and after the transaction.
@Suite("Reads inside a write transaction")
struct TransactionMemoTests {
    struct Abort: Error {}

    func newDeal(_ store: Store) async throws -> Deal { try await StoreSuiteTests().newDeal(store) }

    @Test(arguments: StoreTarget.available)
    func aTransactionReadsItsOwnWritesAndARolledBackOneLeavesNothing(target: StoreTarget) async throws {
        try await target.withStore { store in
            let deal = try await newDeal(store)
            var moved = deal
            moved.stage = "processing_request"
            moved.fields["subject"] = .string("Стол")
            let seen = try await store.write { [moved] s in
                let before = try await s.deal(deal.id)
                try await s.record(moved, previous: before, stageLog: nil, actor: Actor(kind: .api), at: Fixtures.t0)
                return (before, try await s.deal(deal.id), try await s.deal(deal.id, forUpdate: true), try await s.dealPipeline(deal.id))
            }
            #expect(seen.0 == deal)
            #expect(seen.1 == moved && seen.2 == moved)
            #expect(seen.3 == "sales")

            // Read, write, read again, then roll back: the next transaction sees the committed deal, not the memo's.
            var renamed = moved
            renamed.title = "Никогда"
            await #expect(throws: Abort.self) {
                try await store.write { [renamed] s in
                    _ = try await s.deal(deal.id)
                    try await s.updateDeal(renamed)
                    #expect(try await s.deal(deal.id).title == "Никогда")
                    throw Abort()
                }
            }
            #expect(try await store.write { s in try await s.deal(deal.id) } == moved)
            #expect(try await store.read { s in try await s.deal(deal.id) } == moved)
        }
    }

    @Test(arguments: StoreTarget.available)
    func deletedRecordsAreGoneForTheRestOfTheTransaction(target: StoreTarget) async throws {
        try await target.withStore { store in
            let deal = try await newDeal(store)
            try await store.write { s in
                var contact = try await s.insertContact(Fixtures.contact)
                #expect(try await s.contact(contact.id).name == "Анна")
                contact.name = "Анна Петровна"
                try await s.updateContact(contact)
                #expect(try await s.contact(contact.id).name == "Анна Петровна")
                try await s.softDelete(.contacts, id: contact.id.rawValue, at: Fixtures.t0)
                await #expect(throws: StoreError.notFound(entity: "contact", id: contact.id.description)) { try await s.contact(contact.id) }
                await #expect(throws: StoreError.notFound(entity: "contact", id: contact.id.description)) { try await s.updateContact(contact) }
                await #expect(throws: StoreError.notFound(entity: "contact", id: contact.id.description)) { try await s.contact(contact.id) }

                _ = try await s.deal(deal.id)
                try await s.deleteDeal(deal.id, at: Fixtures.t0)
                await #expect(throws: StoreError.notFound(entity: "deal", id: deal.id.description)) { try await s.deal(deal.id) }
            }
            await #expect(throws: StoreError.notFound(entity: "deal", id: deal.id.description)) {
                try await store.read { s in try await s.deal(deal.id) }
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func theEndpointListFollowsEveryChangeInTheTransaction(target: StoreTarget) async throws {
        try await target.withStore { store in
            try await store.write { s in
                #expect(try await s.endpoints().isEmpty)
                let hook = try await s.insertEndpoint(name: "erp", url: "http://127.0.0.1:9/hook", secret: "s", events: ["deal.won"], at: Fixtures.t0)
                #expect(try await s.endpoints().map(\.name) == ["erp"])
                try await s.disableEndpoint(hook.id, reason: "410 Gone")
                #expect(try await s.endpoints().map(\.active) == [false])
                try await s.deleteEndpoint(hook.id)
                #expect(try await s.endpoints().isEmpty)
            }
        }
    }

    /// Entering a stage sets its bit in the deal's update; the mask equals the one recomputed from the whole log.
    @Test(arguments: StoreTarget.available)
    func aMoveKeepsTheEnteredStageMaskEqualToTheLog(target: StoreTarget) async throws {
        try await target.withStore { store in
            let pipeline = try Fixtures.salesDefinition().validated(knownFields: FieldCatalog()).get()
            try await store.write { s in try await s.savePipeline(pipeline, at: Fixtures.t0) }
            let deal = try await newDeal(store)
            var previous = deal
            for stage: StageKey in ["processing_request", "answer_received", "processing_request"] {
                var moved = previous
                moved.stage = stage
                let entry = StageLogEntry(entering: moved, from: previous.stage, actor: Actor(kind: .api), cause: "move", at: Fixtures.t0)
                try await store.write { [moved, previous] s in
                    try await s.record(moved, previous: previous, stageLog: entry, actor: entry.actor, at: entry.at)
                }
                previous = moved
            }
            let (kept, recomputed) = try await store.write { s in
                let kept = try await s.enteredMask(deal.id)
                try await s.recomputeEnteredMasks()
                return (kept, try await s.enteredMask(deal.id))
            }
            let bits = try await store.read { s in try await s.stageBits("sales") }
            #expect(kept == bits["new_lead"]! | bits["processing_request"]! | bits["answer_received"]!)
            #expect(kept == recomputed)
        }
    }
}
