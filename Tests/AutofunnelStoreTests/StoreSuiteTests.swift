import AutofunnelCore
import AutofunnelStore
import AutofunnelTestSupport
import Testing

/// The storage suite: every test runs on SQLite in memory, SQLite on a file and PostgreSQL.
@Suite("Store on every database")
struct StoreSuiteTests {
    static let rub = CurrencyCode("RUB")!

    func savedPipeline(_ store: Store) async throws -> Pipeline {
        let pipeline = try Fixtures.salesDefinition().validated(knownFields: FieldCatalog()).get()
        try await store.write { s in try await s.savePipeline(pipeline, at: Fixtures.t0) }
        return pipeline
    }

    func newDeal(_ store: Store, title: String = "Шкаф", responsible: UserID? = nil) async throws -> Deal {
        var deal = Fixtures.deal()
        deal.id = DealID(0)
        deal.title = title
        deal.responsible = responsible
        deal.amount = Money(scaledUnits: 485_001_234, currency: Self.rub)
        deal.fields = ["subject": .string("Шкаф"), "n": .number(3)]
        return try await store.write { [deal] s in
            let stored = try await s.insertDeal(deal)
            try await s.appendStageLog(StageLogEntry(entering: stored, from: nil, actor: Actor(kind: .api), cause: "created", at: Fixtures.t0))
            return stored
        }
    }

    @Test(arguments: StoreTarget.available)
    func migrationsRunOnce(target: StoreTarget) async throws {
        try await target.withStore { store in
            let applied = try await Migrations.run(on: store.backend, now: 0)
            #expect(applied.isEmpty)
            #expect(await store.ping())
        }
    }

    @Test(arguments: StoreTarget.available)
    func aDealRoundTripsExactly(target: StoreTarget) async throws {
        try await target.withStore { store in
            let deal = try await newDeal(store)
            #expect(deal.id.rawValue > 0)
            let loaded = try await store.read { s in try await s.deal(deal.id) }
            #expect(loaded == deal)
            #expect(loaded.amount?.decimalText == "48500.12")
            await #expect(throws: StoreError.notFound(entity: "deal", id: "999999")) {
                try await store.read { s in try await s.deal(DealID(999_999)) }
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func aMoveCommitsTheDealItsStageLogRowAndTimelineTogether(target: StoreTarget) async throws {
        try await target.withStore { store in
            let deal = try await newDeal(store, responsible: UserID(5))
            var moved = deal
            moved.stage = "processing_request"
            let entry = StageLogEntry(
                entering: moved, from: deal.stage, actor: Actor(kind: .user, userID: UserID(5)), cause: "move", at: Fixtures.t0.adding(millis: 10))
            try await store.write { [moved] s in try await s.record(moved, previous: deal, stageLog: entry, actor: entry.actor, at: entry.at) }
            let (log, timeline, now) = try await store.read { s in
                (try await s.stageLog(deal: deal.id), try await s.timeline(deal: deal.id), try await s.deal(deal.id))
            }
            #expect(now.stage == "processing_request")
            #expect(log.map(\.to) == ["new_lead", "processing_request"])
            #expect(log[1].from == "new_lead")
            #expect(log[1].responsible == UserID(5))
            #expect(log[1].amount == deal.amount)
            #expect(log[1].actor == Actor(kind: .user, userID: UserID(5)))
            #expect(timeline.map(\.field) == ["stage"])
            #expect(timeline[0].old == "new_lead" && timeline[0].new == "processing_request")
        }
    }

    @Test(arguments: StoreTarget.available)
    func aFailureAfterTheDealUpdateLeavesNeitherTheUpdateNorTheLogRow(target: StoreTarget) async throws {
        let failing = FaultInjector { $0 == .afterDealUpdate }
        try await target.withStore(faults: failing) { store in
            let deal = try await newDeal(store)
            var moved = deal
            moved.stage = "proposal_made"
            let entry = StageLogEntry(entering: moved, from: deal.stage, actor: Actor(kind: .api), cause: "move", at: Fixtures.t0)
            let attempt = moved
            await #expect(throws: StoreError.injectedFault("afterDealUpdate")) {
                try await store.write { s in try await s.record(attempt, previous: deal, stageLog: entry, actor: entry.actor, at: entry.at) }
            }
            let (log, timeline, now) = try await store.read { s in
                (try await s.stageLog(deal: deal.id), try await s.timeline(deal: deal.id), try await s.deal(deal.id))
            }
            #expect(now == deal)
            #expect(log.count == 1)
            #expect(timeline.isEmpty)
        }
    }

    @Test(arguments: StoreTarget.available)
    func listsFilterAndPageWithACursor(target: StoreTarget) async throws {
        try await target.withStore { store in
            for i in 0..<7 { _ = try await newDeal(store, title: "Deal \(i)", responsible: UserID(Int64(i % 2 + 1))) }
            var seen: [String] = []
            var after: Int64?
            repeat {
                let page = try await store.read { [after] s in
                    try await s.deals(DealFilter(pipeline: "sales", responsible: UserID(1)), after: after, limit: 2)
                }
                seen += page.items.map(\.title)
                after = page.nextAfter
            } while after != nil
            #expect(seen == ["Deal 0", "Deal 2", "Deal 4", "Deal 6"])
            let none = try await store.read { s in try await s.deals(DealFilter(updatedSince: Fixtures.t0.adding(millis: 1)), after: nil, limit: 50) }
            #expect(none.items.isEmpty)
            let counts = try await store.read { s in try await s.dealCounts(pipeline: "sales", status: .open) }
            #expect(counts == ["new_lead": 7])
        }
    }

    @Test(arguments: StoreTarget.available)
    func pipelinesAndTheirFieldsRoundTrip(target: StoreTarget) async throws {
        try await target.withStore { store in
            let pipeline = try await savedPipeline(store)
            let loaded = try await store.read { s in try await s.pipeline("sales") }
            #expect(loaded == pipeline)
            let catalog = try await store.read { s in try await s.fieldCatalog() }
            #expect(catalog.definition(.deal, "delivery_method")?.options?.map(\.key) == ["delivery", "pickup"])
            #expect(catalog.owner(.deal, "subject") == "sales")
        }
    }

    @Test(arguments: StoreTarget.available)
    func idempotencyKeysReplayAndRefuseReuse(target: StoreTarget) async throws {
        try await target.withStore { store in
            let first = try await store.write { s in try await s.claimIdempotencyKey("k1", fingerprint: "f1", at: Fixtures.t0) }
            #expect(first == .claimed)
            let running = try await store.write { s in try await s.claimIdempotencyKey("k1", fingerprint: "f1", at: Fixtures.t0) }
            #expect(running == .inProgress)
            try await store.write { s in try await s.completeIdempotencyKey("k1", status: 201, contentType: "application/json", body: "{\"id\":1}") }
            let replay = try await store.write { s in try await s.claimIdempotencyKey("k1", fingerprint: "f1", at: Fixtures.t0) }
            #expect(replay == .replay(status: 201, contentType: "application/json", body: "{\"id\":1}"))
            let other = try await store.write { s in try await s.claimIdempotencyKey("k1", fingerprint: "f2", at: Fixtures.t0) }
            #expect(other == .mismatch)
        }
    }

    @Test(arguments: StoreTarget.available)
    func notesAreCopiedWithTheirAuthorsAndTimes(target: StoreTarget) async throws {
        try await target.withStore { store in
            let a = try await newDeal(store)
            let b = try await newDeal(store)
            try await store.write { s in
                _ = try await s.insertNote(deal: a.id, text: "Позвонить после 15:00", author: UserID(2), at: Fixtures.t0)
                try await s.copyNotes(from: a.id, to: b.id)
            }
            let notes = try await store.read { s in try await s.notes(deal: b.id) }
            #expect(notes.map(\.text) == ["Позвонить после 15:00"])
            #expect(notes[0].author == UserID(2) && notes[0].createdAt == Fixtures.t0)
        }
    }
}
