import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

@Suite("Orchestration: call and wait, callbacks, timeouts")
struct OrchestrationTests {
    static let user = Actor(kind: .user)

    /// Open stages, a won stage `won` and a lost stage `lost`; every actor kind may move any way.
    static func pipeline(_ key: String, stages: [String], fields: [PipelineDefinition.FieldSpec]? = nil, rules: [AutomationSpec])
        -> PipelineDefinition
    {
        let any = MovePolicy.Permissions()
        return PipelineDefinition(
            key: key, name: .init(ru: key, en: key), policy: .init(user: any, automation: any, api: any, import: any), fields: fields,
            stages: stages.map { .init(key: $0, name: .init(ru: $0, en: $0), kind: .process) } + [
                .init(key: "won", name: .init(ru: "Успех", en: "Won"), kind: .conversion, outcome: .won),
                .init(key: "lost", name: .init(ru: "Отказ", en: "Lost"), kind: .conversion, outcome: .lost),
            ], automations: rules)
    }

    /// The callback a call carries, read from the body the outside system received.
    static func callback(_ body: String) throws -> (token: String, url: String, dealID: Int64) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        let data = try #require(object["data"] as? [String: Any])
        let callback = try #require(data["callback"] as? [String: Any])
        return (try #require(callback["token"] as? String), try #require(callback["url"] as? String), try #require(data["id"] as? Int64))
    }

    /// The broker case: twenty automatic check stages, each calling a small fake outside system that approves, until
    /// the deal is won — on SQLite and on PostgreSQL.
    @Test(arguments: StoreTarget.available)
    func twentyCheckStagesRunAgainstAFakeOutsideSystem(_ target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            try await WebhookReceiver.with { receiver, port in
                let checks = (1...20).map { String(format: "check_%02d", $0) }
                let rules = checks.map { stage in
                    AutomationSpec(
                        key: "call_\(stage)", trigger: .init(on: "stage_entered", stage: stage),
                        actions: [.init(do: "call_and_wait", endpoint: "broker", wait: "1h", rejected: "lost")])
                }
                _ = try await t.services.pipelines.apply(Self.pipeline("broker", stages: checks, rules: rules))
                let secret = try await t.services.store.write { s in
                    try await s.insertEndpoint(
                        name: "broker", url: "http://127.0.0.1:\(port)/check", secret: WebhookSigner.newSecret(), events: [], at: t.clock.now()
                    )
                    .secret
                }
                let deal = try await t.services.deals.create(
                    pipeline: "broker", stage: nil, input: DealInput(title: "Заявка на кредит"), actor: Self.user)
                let delivery = OutboxDelivery.toLoopback(t.services)
                let seconds = t.clock.now().millis / 1000
                try await t.withAPI(anonymous: true) { api in
                    var seen: Set<String> = []
                    for round in 0..<20 {
                        try await delivery.deliverDue()
                        let calls = await receiver.received.filter { $0.path == "/check" }
                        #expect(calls.count == round + 1, "one call per check stage, delivered once")
                        let last = try #require(calls.last)
                        #expect(
                            last.headers["webhook-signature"]
                                == WebhookSigner.signature(
                                    secret: secret, id: last.headers["webhook-id"] ?? "",
                                    timestamp: Int64(last.headers["webhook-timestamp"] ?? "") ?? 0,
                                    body: last.body))
                        let (token, url, dealID) = try Self.callback(last.body)
                        #expect(dealID == deal.id.rawValue && url.hasSuffix("/api/v1/callbacks/\(token)") && !seen.contains(token))
                        seen.insert(token)
                        let answer = try await api.signed(
                            "/api/v1/callbacks/\(token)", json: ["result": "approved"], secret: secret, id: "ans_\(round)", seconds: seconds)
                        #expect(answer.status == 200 && answer.object["applied"] as? Bool == true)
                        if round == 5 {
                            let again = try await api.signed(
                                "/api/v1/callbacks/\(token)", json: ["result": "rejected"], secret: secret, id: "ans_again", seconds: seconds)
                            #expect(
                                again.status == 200 && again.object["applied"] as? Bool == false && again.object["status"] as? String == "approved",
                                "a repeated callback changes nothing")
                        }
                    }
                }
                let done = try await t.services.store.read { s in try await s.deal(deal.id) }
                #expect(done.status == .won && done.stage == "won")
                let log = try await t.services.store.read { s in try await s.stageLog(deal: deal.id) }
                #expect(log.count == 21 && log.dropFirst().allSatisfy { $0.actor.kind == .automation })
            }
        }
    }

    @Test func badSignaturesRejectionsDataAndRefusedMovesKeepTheWaitOpen() async throws {
        try await TestServices.with { t in
            try await WebhookReceiver.with { receiver, port in
                let fields: [PipelineDefinition.FieldSpec] = [.init(entity: .deal, key: "score", type: .number, name: .init(ru: "Балл", en: "Score"))]
                var definition = Self.pipeline(
                    "scoring", stages: ["check", "offer", "review"], fields: fields,
                    rules: [
                        AutomationSpec(
                            key: "score_call", trigger: .init(on: "stage_entered", stage: "check"),
                            actions: [.init(do: "call_and_wait", endpoint: "scorer", wait: "2h", rejected: "review")]),
                        AutomationSpec(
                            key: "note_reject", trigger: .init(on: "callback_received", rule: "score_call", result: "rejected"),
                            actions: [.init(do: "create_task", title: "Разобрать отказ скоринга", due: "1h")]),
                    ])
                definition.stages[0].requiredToLeave = ["score"]
                _ = try await t.services.pipelines.apply(definition)
                let secret = try await t.services.store.write { s in
                    try await s.insertEndpoint(
                        name: "scorer", url: "http://127.0.0.1:\(port)/score", secret: WebhookSigner.newSecret(), events: [], at: t.clock.now()
                    )
                    .secret
                }
                let delivery = OutboxDelivery.toLoopback(t.services)
                let first = try await t.services.deals.create(pipeline: "scoring", stage: nil, input: DealInput(title: "A"), actor: Self.user)
                let second = try await t.services.deals.create(pipeline: "scoring", stage: nil, input: DealInput(title: "B"), actor: Self.user)
                try await delivery.deliverDue()
                let calls = await receiver.received
                #expect(calls.count == 2)
                let tokens = try calls.map { try Self.callback($0.body) }.sorted { $0.dealID < $1.dealID }.map(\.token)
                let seconds = t.clock.now().millis / 1000
                try await t.withAPI(anonymous: true) { api in
                    let forged = try await api.signed(
                        "/api/v1/callbacks/\(tokens[0])", json: ["result": "approved"], secret: WebhookSigner.newSecret(), id: "x1", seconds: seconds)
                    #expect(forged.status == 401, "another key's signature is refused")
                    let stale = try await api.signed(
                        "/api/v1/callbacks/\(tokens[0])", json: ["result": "approved"], secret: secret, id: "x2", seconds: seconds - 3600)
                    #expect(stale.status == 401, "an old timestamp is a replay")
                    let unknown = try await api.signed(
                        "/api/v1/callbacks/cb_nope", json: ["result": "approved"], secret: secret, id: "x3", seconds: seconds)
                    #expect(unknown.status == 404)
                    let refused = try await api.signed(
                        "/api/v1/callbacks/\(tokens[0])", json: ["result": "approved"], secret: secret, id: "x4", seconds: seconds)
                    #expect(refused.status == 422 && refused.fieldList == ["score"], "the score is required to leave the check: \(refused.text)")
                    let approved = try await api.signed(
                        "/api/v1/callbacks/\(tokens[0])", json: ["result": "approved", "data": ["score": 87]], secret: secret, id: "x5",
                        seconds: seconds)
                    #expect(approved.status == 200 && approved.object["stage"] as? String == "offer", "data first, then the move")
                    let rejected = try await api.signed(
                        "/api/v1/callbacks/\(tokens[1])", json: ["result": "rejected", "data": ["score": 12]], secret: secret, id: "x6",
                        seconds: seconds)
                    #expect(rejected.status == 200 && rejected.object["stage"] as? String == "review", "\(rejected.text)")
                }
                let a = try await t.services.store.read { s in try await s.deal(first.id) }
                #expect(a.stage == "offer" && a.fields["score"] == .number(87))
                let reviewTasks = try await t.services.store.read { s in try await s.tasks(TaskFilter(deal: second.id)) }
                #expect(reviewTasks.map(\.title) == ["Разобрать отказ скоринга"], "the callback_received rule ran on the rejection only")
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func noAnswerByTheDeadlineTakesTheTimeoutBranch(_ target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let rules = [
                AutomationSpec(
                    key: "kyc", trigger: .init(on: "stage_entered", stage: "check"),
                    actions: [.init(do: "call_and_wait", endpoint: "kyc", wait: "30m", timeout: "manual")]),
                AutomationSpec(
                    key: "late", trigger: .init(on: "callback_received", result: "timeout"),
                    actions: [.init(do: "create_task", title: "Проверить вручную: {{deal.title}}", due: "1h")]),
            ]
            _ = try await t.services.pipelines.apply(Self.pipeline("kyc", stages: ["check", "manual", "approved"], rules: rules))
            let secret = try await t.services.store.write { s in
                try await s.insertEndpoint(
                    name: "kyc", url: "http://127.0.0.1:9/kyc", secret: WebhookSigner.newSecret(), events: [], at: t.clock.now()
                ).secret
            }
            let waiting = try await t.services.deals.create(pipeline: "kyc", stage: nil, input: DealInput(title: "Ждёт"), actor: Self.user)
            let movedAway = try await t.services.deals.create(pipeline: "kyc", stage: nil, input: DealInput(title: "Ушла"), actor: Self.user)
            _ = try await t.services.deals.move(movedAway.id, to: "approved", lossComment: nil, actor: Self.user)
            let scheduler = AutomationScheduler(services: t.services, owner: "a")
            t.clock.advance(millis: 29 * 60_000)
            #expect(try await scheduler.fireDue() == 0)
            t.clock.advance(millis: 2 * 60_000)
            #expect(try await scheduler.fireDue() == 1, "the moved deal's wait was cancelled with its timer")
            let timedOut = try await t.services.store.read { s in try await s.deal(waiting.id) }
            #expect(timedOut.stage == "manual")
            let tasks = try await t.services.store.read { s in try await s.tasks(TaskFilter(deal: waiting.id)) }
            #expect(tasks.map(\.title) == ["Проверить вручную: Ждёт"])
            let calls = try await t.services.store.read { s in try await s.outbox(status: nil) }.map { try Self.callback($0.payload) }
            let token = calls.first { $0.dealID == waiting.id.rawValue }?.token
            try await t.withAPI(anonymous: true) { api in
                let late = try await api.signed(
                    "/api/v1/callbacks/\(try #require(token))", json: ["result": "approved"], secret: secret, id: "late",
                    seconds: t.clock.now().millis / 1000)
                #expect(late.status == 200 && late.object["applied"] as? Bool == false && late.object["status"] as? String == "timeout")
            }
            #expect(try await t.services.store.read { s in try await s.deal(waiting.id) }.stage == "manual", "a late answer moves nothing")
        }
    }
}
