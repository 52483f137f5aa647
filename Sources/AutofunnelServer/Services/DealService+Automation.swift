import AutofunnelCore
import AutofunnelStore

/// The automation runner: it feeds the events of a change to the pure engine and applies the effects in the change's
/// own transaction, so a rule's task, move or timer commits with its cause or not at all.
extension DealService {
    /// The longest chain of rule-caused events; deeper, the runner stops and writes an automation error.
    static let cascadeLimit = 8

    /// What one cascade has done so far: how deep it is and which rules fired on which deal.
    struct Cascade {
        var depth = 0
        var fired: Set<String> = []
        /// Definitions read once per cascade: a pipeline is parsed from its stored file, which costs more than the rest.
        var catalog: FieldCatalog?
        var pipelines: [PipelineKey: Pipeline] = [:]
        /// Whether any rule acted: if none did, the deal is as its command left it and need not be read again.
        var touched = false

        /// A new cascade that reuses the definitions another has read (timers fired together in one transaction).
        init(sharing other: Cascade) {
            catalog = other.catalog
            pipelines = other.pipelines
        }

        init(catalog: FieldCatalog? = nil, pipelines: [PipelineKey: Pipeline] = [:]) {
            self.catalog = catalog
            self.pipelines = pipelines
        }

        /// Keeps the definitions a finished cascade read.
        mutating func keepDefinitions(of other: Cascade) {
            catalog = other.catalog ?? catalog
            pipelines.merge(other.pipelines) { _, new in new }
        }

        mutating func catalog(_ s: StoreSession) async throws -> FieldCatalog {
            if let catalog { return catalog }
            let read = try await s.fieldCatalog()
            catalog = read
            return read
        }

        mutating func pipeline(_ key: PipelineKey, _ s: StoreSession) async throws -> Pipeline? {
            if let p = pipelines[key] { return p }
            guard let p = try await s.pipeline(key, catalog: try await catalog(s)) else { return nil }
            pipelines[key] = p
            return p
        }
    }

    /// The events a change of a deal causes: leaving and entering stages, and every changed field.
    static func events(from old: Deal?, to new: Deal) -> [AutomationEvent] {
        guard let old else { return [.dealCreated, .stageEntered(new.stage)] }
        var out: [AutomationEvent] = []
        if old.stage != new.stage { out += [.stageLeft(old.stage), .stageEntered(new.stage)] }
        let oldSnap = DealSnapshot(deal: old)
        let newSnap = DealSnapshot(deal: new)
        let names = AutomationSpec.builtinFields.sorted() + Set(old.fields.keys).union(new.fields.keys).map(\.rawValue).sorted()
        for name in names where Automation.value(name, oldSnap) != Automation.value(name, newSnap) {
            out.append(.fieldChanged(name, to: Automation.value(name, newSnap)))
        }
        return out
    }

    /// What leaving a stage ends whatever the rules say: the stage's open tasks close, its timers are cancelled.
    func leave(_ old: Deal, for new: Deal, pipeline: Pipeline, session s: StoreSession, now: Timestamp) async throws {
        guard old.stage != new.stage || old.status != new.status else { return }
        try await s.closeStageTasks(deal: old.id, stage: old.stage, at: now)
        try await s.cancelTimers(deal: old.id, stage: old.stage)
        // Only pipelines with a call_and_wait rule have waits to cancel, and a stage a definition removed may have had one.
        let waits = pipeline.automations.contains { $0.actions.contains { if case .callAndWait = $0 { true } else { false } } }
        if waits || pipeline.stage(old.stage) == nil {
            try await s.cancelWaits(deal: old.id, stage: old.stage, at: now)
        }
    }

    /// Runs the rules for `events` of a deal, then for the events their actions cause, up to the cascade limit.
    /// `cause` names what happened (a log row, a timer) and keys the exactly-once ledger.
    func automate(
        _ events: [AutomationEvent], deal id: DealID, cause: String, session s: StoreSession, now: Timestamp, cascade: inout Cascade,
        pipelineHint: PipelineKey? = nil
    ) async throws {
        guard !events.isEmpty else { return }
        if cascade.depth > 0 { metrics.cascadeDepth(cascade.depth) }
        if cascade.depth >= Self.cascadeLimit {
            try await s.appendTimeline([
                TimelineEntry(
                    deal: id, at: now, kind: "automation_error",
                    text: "Automation stopped: a chain of more than \(Self.cascadeLimit) rule-caused events", actor: Actor(kind: .automation))
            ])
            metrics.automationCascadeLimit()
            return
        }
        // Most pipelines have few rules: with none, the events cost nothing more.
        var key = pipelineHint
        if key == nil { key = try await s.dealPipeline(id) }
        guard let pipelineKey = key, let rules = try await cascade.pipeline(pipelineKey, s), !rules.automations.isEmpty else { return }
        // A deal never changes pipeline (a copy is a new deal), so the rules are those of `pipelineKey` throughout.
        let pipeline = rules
        for event in events where Automation.concerns(event, pipeline: pipeline) {
            cascade.touched = true
            let snapshot = try await s.dealSnapshot(id)
            let effects = Automation.evaluate(event, snapshot: snapshot, pipeline: pipeline, now: now)
            var firing: Set<String> = []
            // One ledger row per rule and cause: a rule's actions for one event are applied together in this transaction.
            var claimed: [String: Bool] = [:]
            for effect in effects {
                switch effect {
                case .setTimer(let rule, let stage, let at):
                    if snapshot.deal.status == .open && snapshot.deal.stage == stage {
                        try await s.insertTimer(deal: id, stage: stage, rule: rule, dueAt: at, at: now)
                        // Rung before the commit: if the scheduler looks too soon, it still looks again within its longest sleep.
                        bell.ring()
                    }
                case .setDateTimer(let rule, let at):
                    try await s.setDateTimer(deal: id, rule: rule, dueAt: at, at: now)
                    if at != nil { bell.ring() }
                case .act(let rule, let index, let action):
                    let mark = "\(id):\(rule)"
                    // A rule never re-triggers itself on the same deal within one cascade.
                    if cascade.fired.contains(mark) && !firing.contains(mark) { continue }
                    firing.insert(mark)
                    cascade.fired.insert(mark)
                    if claimed[rule] == nil { claimed[rule] = try await s.claimRun(cause: cause, rule: rule, action: 0, at: now) }
                    guard claimed[rule] == true else { continue }
                    do {
                        try await apply(action, rule: rule, deal: id, pipeline: pipeline, session: s, now: now, cascade: &cascade)
                    } catch let error where AppError.from(error) != nil {
                        try await s.appendTimeline([
                            TimelineEntry(
                                deal: id, at: now, kind: "automation_error", field: rule,
                                text: "Rule \(rule), action \(index + 1): \(Self.describe(error))", actor: Actor(kind: .automation))
                        ])
                    }
                }
            }
        }
    }

    static func describe(_ error: any Error) -> String {
        switch AppError.from(error) {
        case .refused(let v)?, .forbidden(let v)?: return v.map(\.message.en).joined(separator: "; ")
        case .notFound(let m)?, .conflict(let m)?: return m
        default: return "\(error)"
        }
    }

    private func apply(
        _ action: AutomationRule.Action, rule: String, deal id: DealID, pipeline: Pipeline, session s: StoreSession, now: Timestamp,
        cascade: inout Cascade
    ) async throws {
        let robot = Actor(kind: .automation)
        var next = cascade
        next.depth += 1
        defer {
            cascade.catalog = next.catalog
            cascade.pipelines = next.pipelines
            cascade.touched = cascade.touched || next.touched
        }
        switch action {
        case .move(let stage):
            try await transitionIn(s, id, .move(to: stage, lossComment: nil), cause: "rule \(rule)", now: now, cascade: &next)
        case .closeWon:
            try await transitionIn(s, id, .move(to: pipeline.wonStage.key, lossComment: nil), cause: "rule \(rule)", now: now, cascade: &next)
        case .closeLost(let reason, let comment):
            try await transitionIn(s, id, .move(to: reason, lossComment: comment), cause: "rule \(rule)", now: now, cascade: &next)
        case .setField(let field, let value):
            let input = try Self.input(setting: field, to: value)
            try await updateIn(s, id, input: input, actor: robot, now: now, cascade: &next)
        case .setResponsible(let choice):
            let deal = try await s.deal(id)
            let user: UserID?
            switch choice {
            case .headOfSales: user = deal.headOfSales
            case .user(let email): user = try await s.user(email: email)?.id
            case .roundRobin(let emails):
                let key = "round_robin:\(pipeline.key):\(rule)"
                let last = Int(try await s.automationState(key) ?? "-1") ?? -1
                let position = (last + 1) % emails.count
                try await s.setAutomationState(key, String(position))
                user = try await s.user(email: emails[position])?.id
            }
            guard let user else {
                throw AppError.refused([
                    .init(
                        rule: .unknownReference, field: "responsibleId",
                        message: .init(ru: "Некого назначить ответственным", en: "No user to make responsible"))
                ])
            }
            try await updateIn(s, id, input: DealInput(responsible: user.rawValue), actor: robot, now: now, cascade: &next)
        case .createTask(let title, let text, let due, let assignee):
            let snapshot = try await s.dealSnapshot(id)
            let deal = snapshot.deal
            _ = try await s.insertTask(
                DealTask(
                    id: TaskID(0), deal: id, title: try await render(title, snapshot, session: s, cascade: &next),
                    text: try await text.asyncMap { try await render($0, snapshot, session: s, cascade: &next) },
                    assignee: assignee == .headOfSales ? deal.headOfSales : deal.responsible, creator: deal.headOfSales, stage: deal.stage,
                    rule: rule,
                    dueAt: now.adding(millis: due.millis), createdAt: now))
            try await s.appendTimeline([TimelineEntry(deal: id, at: now, kind: "task", field: rule, text: title, actor: robot)])
        case .callWebhook(let endpoint):
            let deal = try await s.deal(id)
            let type = "automation.\(rule)"
            try await s.enqueue(
                type: type, payload: Webhooks.payload(type: type, at: now, data: Webhooks.dealData(deal)), id: { _ in Webhooks.messageID() }, at: now,
                only: endpoint)
        case .sendMessage(let channel, let to, let subject, let text):
            try await sendMessage(channel: channel, to: to, subject: subject, text: text, rule: rule, deal: id, session: s, now: now, cascade: &next)
        case .callAndWait(let endpoint, let wait, let branches):
            try await callAndWait(endpoint: endpoint, wait: wait, branches: branches, rule: rule, deal: id, session: s, now: now)
        case .openDeal(let target, let stage, let title):
            try await openFollowUp(target, stage: stage, title: title, rule: rule, deal: id, session: s, now: now, cascade: &next)
        case .renderDocument(let name, let template):
            try await renderDocument(name: name, template: template, rule: rule, deal: id, session: s, now: now, cascade: &next)
        case .copyToPipeline(let target, let stage):
            let deal = try await s.deal(id, forUpdate: true)
            _ = try await copyIn(s, deal, to: target, stage: stage, actor: robot, now: now, cascade: &next)
        }
    }

    /// A deal input that sets one built-in attribute or custom field.
    static func input(setting field: String, to value: JSONValue?) throws -> DealInput {
        func number() -> Int64? { if case .number(let n)? = value { Int64(n) } else { nil } }
        func text() -> String? { if case .string(let t)? = value { t } else { nil } }
        switch field {
        case "title": return DealInput(title: text())
        case "source": return DealInput(source: text() ?? "")
        case "responsibleId": return DealInput(responsible: number())
        case "headOfSalesId": return DealInput(headOfSales: number())
        case "contactId": return DealInput(contact: number())
        case "companyId": return DealInput(company: number())
        case "amount", "currency":
            guard case .object(let o)? = value, case .string(let v)? = o["value"], case .string(let c)? = o["currency"] else {
                throw AppError.refused([
                    .init(rule: .invalidValue, field: "amount", message: .init(ru: "Сумма: {value, currency}", en: "An amount is {value, currency}"))
                ])
            }
            return DealInput(amount: .init(value: v, currency: c))
        default: return DealInput(fields: [field: value ?? .null])
        }
    }
}
