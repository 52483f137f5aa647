import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import SQLKit
import Testing

/// A server killed between handling a keyed request and storing its answer leaves the key claimed. A retry must not
/// wait 24 hours: after a minute the key is taken over if the first attempt changed nothing, and answered "applied,
/// answer lost" if it did (running it again would apply it twice).
@Suite("Idempotency keys after a crash")
struct IdempotencyRecoveryTests {
    /// Makes the store look as if the server died right after the request's transaction: the answer is gone.
    static func loseAnswer(_ t: TestServices, _ sent: String) async throws {
        try await t.services.store.backend.write { db in
            try await db.update("idempotency_keys").set("status", to: SQLLiteral.null).set("body", to: SQLLiteral.null)
                .where("key", .like, "%:" + sent).run()
        }
    }

    @Test(arguments: StoreTarget.available)
    func aKeyLeftByACrashIsTakenOverOrReportedAsApplied(_ target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            try await t.withAPI { api in
                let deal = ["pipeline": "sales", "title": "Шкаф"]
                #expect(try await api.request(.post, "/api/v1/deals", json: deal, headers: ["Idempotency-Key": "applied-1"]).status == 201)
                let refused = ["pipeline": "sales", "title": "Шкаф", "stage": "invoice_sent"]
                #expect(try await api.request(.post, "/api/v1/deals", json: refused, headers: ["Idempotency-Key": "refused-1"]).status == 422)
                try await Self.loseAnswer(t, "applied-1")
                try await Self.loseAnswer(t, "refused-1")

                #expect(try await api.request(.post, "/api/v1/deals", json: deal, headers: ["Idempotency-Key": "applied-1"]).status == 409)
                t.clock.advance(millis: 61_000)
                let lost = try await api.request(.post, "/api/v1/deals", json: deal, headers: ["Idempotency-Key": "applied-1"])
                #expect(lost.status == 409 && (lost.object["type"] as? String ?? "").hasSuffix("idempotency-answer-lost"))
                let deals = try await api.request(.get, "/api/v1/deals?pipeline=sales")
                #expect((deals.object["items"] as? [Any])?.count == 1, "the deal was created once and not again")

                let rerun = try await api.request(.post, "/api/v1/deals", json: refused, headers: ["Idempotency-Key": "refused-1"])
                #expect(rerun.status == 422 && rerun.headers[.init("Idempotent-Replayed")!] == nil, "nothing was applied: the request ran again")
                let replay = try await api.request(.post, "/api/v1/deals", json: refused, headers: ["Idempotency-Key": "refused-1"])
                #expect(replay.status == 422 && replay.headers[.init("Idempotent-Replayed")!] == "true")
            }
        }
    }
}
