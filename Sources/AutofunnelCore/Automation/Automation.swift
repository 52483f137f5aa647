/// Something that happened to a deal, as the rules see it.
public enum AutomationEvent: Hashable, Sendable {
    case dealCreated
    case stageEntered(StageKey)
    case stageLeft(StageKey)
    case fieldChanged(String, to: JSONValue?)
    /// A time-in-stage timer of this rule came due (the deal is still in the stage).
    case timerFired(rule: String)
    /// A task of the deal was completed; `rule` is the rule that created it (nil for a task made by hand).
    case taskCompleted(rule: String?)
    case taskOverdue
    case leadCaptured(source: String)
    /// The deal's contact wrote this text on a channel.
    case messageReceived(channel: String, text: String)
    /// An outside system answered a rule's `call_and_wait` (`approved`, `rejected`), or the wait ran out (`timeout`).
    case callbackReceived(rule: String, result: String)
}

/// What the engine asks the runner to do.
public enum Effect: Hashable, Sendable {
    /// Run one action of a rule; `rule` and `index` make the exactly-once key with the event's cause.
    case act(rule: String, index: Int, action: AutomationRule.Action)
    /// Set a durable timer for a time-in-stage rule.
    case setTimer(rule: String, stage: StageKey, at: Timestamp)
    /// Set (or with nil, cancel) the timer of a date rule; it is not tied to a stage and outlives closing.
    case setDateTimer(rule: String, at: Timestamp?)
}

/// The automation engine: pure. The runner supplies the event, the deal as it is now and the clock's reading, applies
/// the internal effects in the same transaction and feeds the events they cause back in.
public enum Automation {
    /// The effects of the pipeline's rules for one event, in rule and action order.
    public static func evaluate(_ event: AutomationEvent, snapshot: DealSnapshot, pipeline: Pipeline, now: Timestamp) -> [Effect] {
        var out: [Effect] = []
        for rule in pipeline.automations {
            if case .timeInStage(let stage, let after) = rule.trigger, event == .stageEntered(stage) {
                out.append(.setTimer(rule: rule.key, stage: stage, at: now.adding(millis: after.millis)))
                continue
            }
            if rule.trigger == .stageTimeout, case .stageEntered(let stage) = event {
                if let limit = pipeline.stage(stage)?.maxTimeInStage {
                    out.append(.setTimer(rule: rule.key, stage: stage, at: now.adding(millis: limit.millis)))
                }
                continue
            }
            if case .dateReached(let field, let offset) = rule.trigger {
                if event == .dealCreated || { if case .fieldChanged(field, _) = event { true } else { false } }() {
                    let moment = value(field, snapshot).flatMap { v -> Int64? in if case .string(let t) = v { CalendarText.millis(t) } else { nil } }
                    let at = moment.flatMap { m in m < now.millis ? nil : Timestamp(millis: max(now.millis, m + offset)) }
                    if at != nil || event != .dealCreated { out.append(.setDateTimer(rule: rule.key, at: at)) }
                    continue
                }
            }
            guard matches(rule.trigger, event, rule: rule.key), holds(rule.condition, snapshot) else { continue }
            out += rule.actions.enumerated().map { .act(rule: rule.key, index: $0.offset, action: $0.element) }
        }
        return out
    }

    /// Whether any rule of the pipeline could act on or set a timer for the event: when none can, the runner need not
    /// read the deal at all.
    public static func concerns(_ event: AutomationEvent, pipeline: Pipeline) -> Bool {
        pipeline.automations.contains { rule in
            switch (rule.trigger, event) {
            case (.timeInStage(let stage, _), .stageEntered(let entered)): return stage == entered
            case (.stageTimeout, .stageEntered): return true
            case (.dateReached, .dealCreated): return true
            case (.dateReached(let field, _), .fieldChanged(let changed, _)): return field == changed
            default: return matches(rule.trigger, event, rule: rule.key)
            }
        }
    }

    static func matches(_ trigger: AutomationRule.Trigger, _ event: AutomationEvent, rule: String) -> Bool {
        switch (trigger, event) {
        case (.dealCreated, .dealCreated), (.taskOverdue, .taskOverdue): return true
        case (.taskCompleted(let wanted), .taskCompleted(let made)): return wanted == nil || wanted == made
        case (.stageEntered(let a), .stageEntered(let b)), (.stageLeft(let a), .stageLeft(let b)): return a == b
        case (.fieldChanged(let field, let to), .fieldChanged(let changed, let value)):
            return field == changed && (to == nil || to == value)
        case (.timeInStage, .timerFired(let fired)), (.stageTimeout, .timerFired(let fired)): return fired == rule
        case (.leadCaptured(let wanted), .leadCaptured(let source)): return wanted == nil || wanted == source
        case (.dateReached, .timerFired(let fired)): return fired == rule
        case (.messageReceived(let channel, let text), .messageReceived(let got, let said)):
            return (channel == nil || channel == got) && (text == nil || text == said.trimmed.lowercased())
        case (.callbackReceived(let wanted, let result), .callbackReceived(let got, let answer)):
            return (wanted == nil || wanted == got) && (result == nil || result == answer)
        default: return false
        }
    }

    /// Whether a condition holds for the deal.
    public static func holds(_ condition: AutomationRule.Condition, _ s: DealSnapshot) -> Bool {
        switch condition {
        case .all(let cs): return cs.allSatisfy { holds($0, s) }
        case .any(let cs): return cs.contains { holds($0, s) }
        case .equals(let f, let v): return same(value(f, s), v)
        case .oneOf(let f, let vs): return vs.contains { same(value(f, s), $0) }
        case .greater(let f, let n): return number(value(f, s)).map { $0 > n } ?? false
        case .less(let f, let n): return number(value(f, s)).map { $0 < n } ?? false
        case .empty(let f, let wanted): return isEmpty(value(f, s)) == wanted
        case .contains(let f, let text):
            guard case .string(let v)? = value(f, s) else { return false }
            return v.lowercased().contains(text.lowercased())
        case .hasTag(let key): return s.tags.contains(key)
        }
    }

    /// A deal attribute or custom field as a JSON value (amounts as numbers).
    public static func value(_ field: String, _ s: DealSnapshot) -> JSONValue? {
        let d = s.deal
        switch field {
        case "title": return .string(d.title)
        case "stage": return .string(d.stage.rawValue)
        case "status": return .string(d.status.rawValue)
        case "amount": return d.amount.flatMap { Double($0.decimalText) }.map(JSONValue.number)
        case "currency": return d.amount.map { .string($0.currency.code) }
        case "source": return d.source.map(JSONValue.string)
        case "responsibleId": return d.responsible.map { .number(Double($0.rawValue)) }
        case "headOfSalesId": return d.headOfSales.map { .number(Double($0.rawValue)) }
        case "contactId": return d.contact.map { .number(Double($0.rawValue)) }
        case "companyId": return d.company.map { .number(Double($0.rawValue)) }
        default: return d.fields[FieldKey(field)]
        }
    }

    static func number(_ v: JSONValue?) -> Double? {
        switch v {
        case .number(let n)?: return n
        case .string(let s)?: return Double(s)
        case .object(let o)?: return o["value"].flatMap { number($0) }
        default: return nil
        }
    }

    static func same(_ a: JSONValue?, _ b: JSONValue) -> Bool {
        if let a, a == b { return true }
        if let x = number(a), let y = number(b) { return x == y }
        return false
    }

    static func isEmpty(_ v: JSONValue?) -> Bool {
        switch v {
        case nil, .null?: return true
        case .string(let s)?: return s.trimmed.isEmpty
        case .array(let a)?: return a.isEmpty
        default: return false
        }
    }
}
