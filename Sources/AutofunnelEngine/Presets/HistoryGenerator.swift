import AutofunnelCore
import AutofunnelStore
import Foundation

/// Writes a realistic, deterministic history for analytics work: two years of deals in a qualification pipeline and
/// the 002 sales pipeline, funnels that narrow, some skips and backward moves, losses with reasons and comments,
/// managers of different skill, qualified leads closed and copied into sales (shared lineage).
/// The rows are history being loaded in bulk, not moves being made, so they are written straight to the store.
public struct HistoryGenerator: Sendable {
    public let services: AppServices
    /// The end of the generated period: 2026-11-01T00:00:00Z; it starts 730 days earlier.
    public static let end = Timestamp(millis: 1_793_491_200_000)
    static let day: Int64 = 86_400_000

    public init(services: AppServices) { self.services = services }

    /// What a run wrote.
    public struct Summary: Sendable {
        public var deals: Int
        public var transitions: Int
    }

    /// Generates `count` leads (a qualified share of them also opens a sales deal) from `seed`.
    public func run(deals count: Int, seed: UInt64, progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> Summary {
        let (qualification, sales, managers, head) = try await setUp()
        var rng = SplitMix64(seed: seed)
        var summary = Summary(deals: 0, transitions: 0)
        var done = 0
        while done < count {
            let batch = min(5_000, count - done)
            var leads: [(Deal, [StageLogEntry], Deal?, [StageLogEntry])] = []
            for i in 0..<batch {
                leads.append(makeLead(number: done + i, rng: &rng, qualification: qualification, sales: sales, managers: managers, head: head))
            }
            let written = try await services.store.write { [leads] s in
                let firstPass = try await s.bulkInsertDeals(leads.map(\.0))
                var copies: [Deal] = []
                var logs: [StageLogEntry] = []
                for (stored, lead) in zip(firstPass, leads) {
                    logs += lead.1.map {
                        var e = $0; e.deal = stored.id; return e
                    }
                    if var copy = lead.2 {
                        copy.copiedFrom = stored.id
                        copies.append(copy)
                    }
                }
                let storedCopies = try await s.bulkInsertDeals(copies)
                var copyLogs = leads.compactMap { $0.2 == nil ? nil : $0.3 }.makeIterator()
                for stored in storedCopies {
                    logs += (copyLogs.next() ?? []).map {
                        var e = $0; e.deal = stored.id; return e
                    }
                }
                try await s.bulkAppendStageLog(logs)
                return (firstPass.count + storedCopies.count, logs.count)
            }
            summary.deals += written.0
            summary.transitions += written.1
            done += batch
            progress(done, count)
        }
        return summary
    }

    /// The qualification pipeline (defined here), the sales preset, six managers and a head of sales.
    private func setUp() async throws -> (Pipeline, Pipeline, [(UserID, Double)], UserID) {
        if try await services.store.read({ s in try await s.pipeline("sales") }) == nil {
            _ = try await services.pipelines.apply(text: try Presets.text("sales-002"))
        }
        if try await services.store.read({ s in try await s.pipeline("qualification") }) == nil {
            _ = try await services.pipelines.apply(Self.qualificationDefinition)
        }
        let now = services.clock.now()
        let users = try await services.store.write { s in
            var out: [User] = []
            for (i, name) in ["Анна", "Борис", "Вера", "Глеб", "Дарья", "Егор", "Руководитель"].enumerated() {
                let email = "generated\(i + 1)@example.com"
                if let existing = try await s.user(email: email) {
                    out.append(existing)
                } else {
                    out.append(try await s.insertUser(email: email, name: name, locale: .ru, at: now))
                }
            }
            return out
        }
        let (qualification, sales) = try await services.store.read { s in
            (try await s.requirePipeline("qualification"), try await s.requirePipeline("sales"))
        }
        let skills = [0.55, 0.62, 0.7, 0.75, 0.8, 0.86]
        return (qualification, sales, zip(users.prefix(6).map(\.id), skills).map { ($0, $1) }, users[6].id)
    }

    static let qualificationDefinition = PipelineDefinition(
        key: "qualification", name: .init(ru: "Квалификация", en: "Qualification"),
        stages: [
            .init(key: "new_request", name: .init(ru: "Новая заявка", en: "New request"), kind: .process, maxTimeInStage: "1d", probability: 10),
            .init(key: "contacted", name: .init(ru: "Связались", en: "Contacted"), kind: .conversion, maxTimeInStage: "3d", probability: 30),
            .init(key: "qualified", name: .init(ru: "Квалифицирован", en: "Qualified"), kind: .conversion, outcome: .won),
            .init(key: "not_target", name: .init(ru: "Не целевой", en: "Not a target"), kind: .conversion, outcome: .lost),
            .init(key: "no_answer", name: .init(ru: "Не ответил", en: "No answer"), kind: .conversion, outcome: .lost),
        ])

    private func makeLead(
        number: Int, rng: inout SplitMix64, qualification: Pipeline, sales: Pipeline, managers: [(UserID, Double)], head: UserID
    ) -> (Deal, [StageLogEntry], Deal?, [StageLogEntry]) {
        let created = Self.end.adding(millis: -Int64(rng.unit() * 730 * Double(Self.day)))
        let (manager, skill) = managers[Int(rng.next() % UInt64(managers.count))]
        let currency = CurrencyCode(rng.unit() < 0.05 ? "USD" : "RUB")!
        let amount = Money(scaledUnits: Int64(10_000 + rng.unit() * 490_000) * Money.scale, currency: currency)
        let lineage = LineageID("gen-\(number)")
        let source = ["site", "phone", "exhibition", "referral"][Int(rng.next() % 4)]
        var deal = Deal(
            id: DealID(0), lineage: lineage, pipeline: qualification.key, stage: qualification.firstStage.key, title: "Заявка \(number + 1)",
            amount: amount, responsible: manager, headOfSales: head, source: source, createdAt: created)
        let viaQualification = rng.unit() < 0.3
        if !viaQualification {
            deal.pipeline = sales.key
            deal.stage = sales.firstStage.key
            let log = walk(&deal, in: sales, skill: skill, rng: &rng, head: head)
            return (deal, log, nil, [])
        }
        let qualificationLog = walk(&deal, in: qualification, skill: skill, rng: &rng, head: head)
        guard deal.status == .won, let closed = deal.closedAt else { return (deal, qualificationLog, nil, []) }
        var copy = deal
        copy.pipeline = sales.key
        copy.stage = sales.firstStage.key
        copy.status = .open
        copy.closedAt = nil
        copy.createdAt = closed
        copy.updatedAt = closed
        copy.stageEnteredAt = closed
        let salesLog = walk(&copy, in: sales, skill: skill, rng: &rng, head: head, cause: "copy from \(qualification.key)")
        return (deal, qualificationLog, copy, salesLog)
    }

    /// Walks a deal through a pipeline from its first stage until it is won, lost, or the period ends.
    private func walk(_ deal: inout Deal, in pipeline: Pipeline, skill: Double, rng: inout SplitMix64, head: UserID, cause: String = "created")
        -> [StageLogEntry]
    {
        let api = Actor(kind: .import)
        let stages = pipeline.openStages
        var log = [StageLogEntry(entering: deal, from: nil, actor: api, cause: cause, at: deal.createdAt)]
        var index = 0
        var t = deal.createdAt
        while true {
            t = t.adding(millis: Int64(-log1p(-rng.unit()) * 1.5 * Double(Self.day)))
            guard t < Self.end else { break }
            let from = deal.stage
            let r = rng.unit()
            let forward = skill * (0.8 + 0.15 * Double(index) / Double(max(stages.count, 1)))
            if r < forward {
                let skip = index + 2 < stages.count && rng.unit() < 0.05
                index += skip ? 2 : 1
                if index >= stages.count {
                    deal.stage = pipeline.wonStage.key
                    deal.status = .won
                } else {
                    deal.stage = stages[index].key
                    if stages[index].isKeyStage && rng.unit() < 0.1 { deal.responsible = head }
                }
            } else if r < forward + 0.03 && index > 0 {
                index -= 1
                deal.stage = stages[index].key
            } else if r < forward + 0.03 + (1 - forward) * 0.7 {
                let lost = pipeline.lostStages[Int(rng.next() % UInt64(pipeline.lostStages.count))]
                deal.stage = lost.key
                deal.status = .lost
                deal.lossComment =
                    lost.lossCommentRequired ? ["Нашли дешевле", "Не устроили сроки", "Передумали", "Другой поставщик"][Int(rng.next() % 4)] : nil
            } else {
                continue
            }
            deal.stageEnteredAt = t
            deal.updatedAt = t
            if deal.status != .open { deal.closedAt = t }
            log.append(StageLogEntry(entering: deal, from: from, actor: api, cause: deal.status == .open ? "move" : "close", at: t))
            if deal.status != .open { break }
        }
        return log
    }
}

/// A small, fast, seedable random generator (SplitMix64): the same seed gives the same history on every machine.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
