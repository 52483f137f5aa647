import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import SQLKit
import Synchronization
import Testing

/// Correct answers under faults: a keyed request and its stored answer commit together; a full disk answers 503 and
/// `/health` says "degraded" until writes work again; a timer whose effects keep failing is parked, not retried
/// forever; parallel password guesses are all counted.
@Suite("Hardening: answers under faults")
struct FaultToleranceTests {
    @Test(arguments: StoreTarget.available)
    func aKeyedRequestAndItsAnswerCommitTogether(_ target: StoreTarget) async throws {
        let failAnswer = Mutex(true)
        let t = try await TestServices.make(
            target, faults: FaultInjector { point in point == .beforeIdempotencyAnswer && failAnswer.withLock { $0 } })
        try await t.services.store.closing { _ in
            try await t.withAPI { api in
                let deal = ["pipeline": "sales", "title": "Шкаф"]
                // The answer cannot be stored: the deal it would report is not kept either.
                let failed = try await api.request(.post, "/api/v1/deals", json: deal, headers: ["Idempotency-Key": "k-1"])
                #expect(failed.status == 500)
                #expect((try await api.request(.get, "/api/v1/deals?pipeline=sales").object["items"] as? [Any])?.count == 0)
                failAnswer.withLock { $0 = false }
                let created = try await api.request(.post, "/api/v1/deals", json: deal, headers: ["Idempotency-Key": "k-1"])
                #expect(created.status == 201)
                let replay = try await api.request(.post, "/api/v1/deals", json: deal, headers: ["Idempotency-Key": "k-1"])
                #expect(replay.status == 201 && replay.headers[.init("Idempotent-Replayed")!] == "true")
                #expect(replay.object["id"] as? Int == created.object["id"] as? Int)
                #expect((try await api.request(.get, "/api/v1/deals?pipeline=sales").object["items"] as? [Any])?.count == 1)
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func parallelRequestsWithOneKeyCreateOnceAndNeverFail(_ target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            try await t.withAPI { api in
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            try await api.request(
                                .post, "/api/v1/deals", json: ["pipeline": "sales", "title": "Гонка"], headers: ["Idempotency-Key": "race"]
                            ).status
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { $0 == 201 || $0 == 409 }, "\(statuses)")
                #expect(statuses.contains(201))
                #expect((try await api.request(.get, "/api/v1/deals?pipeline=sales").object["items"] as? [Any])?.count == 1)
            }
        }
    }

    @Test(arguments: [StoreTarget.sqliteMemory, .sqliteFile])
    func aFullDiskAnswers503AndHealthRecovers(_ target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            try await t.withAPI { api in
                #expect(try await api.request(.get, "/health").status == 200)
                // SQLite's page limit is what a full disk looks like to it: SQLITE_FULL on the next page it needs.
                try await t.services.store.backend.write { db in
                    let pages = try await db.raw("PRAGMA page_count").first()?.decode(column: "page_count", as: Int.self) ?? 1
                    try await db.raw("PRAGMA max_page_count = \(unsafeRaw: String(pages))").run()
                }
                var refused: APIResponse?
                for n in 0..<400 where refused == nil {
                    let answer = try await api.request(
                        .post, "/api/v1/deals", json: ["pipeline": "sales", "title": String(repeating: "Ш", count: 480) + "\(n)"])
                    #expect(answer.status == 201 || answer.status == 503, "\(answer.status) \(answer.text)")
                    if answer.status == 503 { refused = answer }
                }
                let full = try #require(refused)
                #expect(full.headers[.retryAfter] != nil)
                #expect((full.object["type"] as? String ?? "").hasSuffix("storage-unavailable"))
                let health = try await api.request(.get, "/health")
                #expect(health.status == 503 && health.object["status"] as? String == "degraded")
                #expect(health.headers[.retryAfter] != nil)
                try await t.services.store.backend.write { db in try await db.raw("PRAGMA max_page_count = 1073741823").run() }
                let recovered = try await api.request(.get, "/health")
                #expect(recovered.status == 200 && recovered.object["status"] as? String == "ok")
                #expect(try await api.request(.post, "/api/v1/deals", json: ["pipeline": "sales", "title": "После"]).status == 201)
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func aTimerThatKeepsFailingIsParked(_ target: StoreTarget) async throws {
        let failing = Mutex(true)
        let t = try await TestServices.make(target, faults: FaultInjector { point in point == .afterTimerTaken && failing.withLock { $0 } })
        try await t.services.store.closing { store in
            let deal = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: "Шкаф"), actor: Actor(kind: .api, userID: t.admin.id))
            try await store.write { s in
                try await s.insertTimer(deal: deal.id, stage: deal.stage, rule: "no_such_rule", dueAt: Fixtures.t0, at: Fixtures.t0)
            }
            let scheduler = AutomationScheduler(services: t.services, owner: "test")
            var attempts = 0
            while try await store.read({ s in try await s.parkedTimerCount() }) == 0 {
                attempts += 1
                try #require(attempts <= AutomationScheduler.maximumAttempts, "parked after at most the bound")
                t.clock.advance(millis: 3_600_001)
                // The firing fails inside its transaction; the scheduler records it and goes on.
                #expect(try await scheduler.fireDue() == 0)
            }
            #expect(attempts == AutomationScheduler.maximumAttempts)
            let parked = try await store.read { s in try await s.parkedTimers(limit: 10) }
            #expect(parked.count == 1 && parked[0].deal == deal.id && parked[0].attempts == AutomationScheduler.maximumAttempts)
            #expect(parked[0].lastError.contains("afterTimerTaken"))
            #expect(try await store.read { s in try await s.nextTimerDue() } == nil, "a parked timer is not claimed again")
            failing.withLock { $0 = false }
            try await t.withAPI { api in
                let listed = try await api.request(.get, "/api/v1/dead-letters")
                let first = (listed.object["timers"] as? [[String: Any]])?.first
                #expect(listed.status == 200 && first?["dealId"] as? Int == Int(deal.id.rawValue) && first?["rule"] as? String == "no_such_rule")
                #expect(try await api.request(.post, "/api/v1/dead-letters/timers/\(parked[0].id)/requeue").status == 204)
                #expect(try await api.request(.post, "/api/v1/dead-letters/timers/\(parked[0].id)/requeue").status == 404)
            }
            #expect(try await store.read { s in try await s.parkedTimerCount() } == 0)
            #expect(try await scheduler.fireDue() == 1, "requeued, it fires once its cause is fixed")
        }
    }

    @Test(arguments: StoreTarget.available)
    func parallelWrongPasswordsAreEachCounted(_ target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            _ = try await t.user("victim@example.com", role: .manager, password: "Correct-horse-battery-9")
            let answers = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<30 {
                    group.addTask {
                        do {
                            _ = try await t.services.auth.signIn(
                                email: "victim@example.com", password: "wrong-guess-123", ip: "10.0.0.9", userAgent: nil, replacing: nil)
                            return 200
                        } catch let e as AppError {
                            return e.status
                        } catch {
                            return 500
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.filter { $0 == 401 }.count == AuthConfig().accountFailures, "\(answers)")
            #expect(answers.filter { $0 == 429 }.count == 30 - AuthConfig().accountFailures)
        }
    }
}
