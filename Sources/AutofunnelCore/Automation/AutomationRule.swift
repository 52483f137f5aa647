/// A validated automation rule: the engine evaluates these.
public struct AutomationRule: Hashable, Sendable {
    /// What starts the rule.
    public enum Trigger: Hashable, Sendable {
        case dealCreated
        case stageEntered(StageKey)
        case stageLeft(StageKey)
        /// A field (built-in name such as `amount`, or a custom key) changed; to a given value when `to` is set.
        case fieldChanged(String, to: JSONValue?)
        /// The deal has been in the stage this long: a durable timer set on entry, cancelled on leaving.
        case timeInStage(StageKey, after: StageDuration)
        /// The deal stayed in its stage longer than that stage's `maxTimeInStage` (any stage that has one).
        case stageTimeout
        case taskCompleted
        /// A task of the deal passed its due time while open.
        case taskOverdue
        /// An inbound lead (a site form, a call) created the deal; from one source when given.
        case leadCaptured(source: String?)
    }

    /// A condition over the deal (and its contact and company).
    public indirect enum Condition: Hashable, Sendable {
        case all([Condition])
        case any([Condition])
        case equals(String, JSONValue)
        case oneOf(String, [JSONValue])
        case greater(String, Double)
        case less(String, Double)
        case empty(String, Bool)
        case contains(String, String)
    }

    /// Who becomes responsible.
    public enum ResponsibleChoice: Hashable, Sendable {
        case user(email: String)
        case headOfSales
        /// The next of these users after the last one chosen by this rule.
        case roundRobin([String])
    }

    /// Who a task is for.
    public enum Assignee: String, Hashable, Sendable { case responsible, headOfSales = "head_of_sales" }

    /// What the rule does.
    public enum Action: Hashable, Sendable {
        case move(StageKey)
        case setField(String, JSONValue?)
        case setResponsible(ResponsibleChoice)
        case createTask(title: String, text: String?, due: StageDuration, assignee: Assignee)
        case closeWon
        case closeLost(reason: StageKey, comment: String?)
        case copyToPipeline(PipelineKey, stage: StageKey?)
        /// Send the deal to a webhook endpoint (by name) through the outbox: at least once, with a stable id.
        case callWebhook(endpoint: String)
    }

    public var key: String
    public var trigger: Trigger
    public var condition: Condition
    public var actions: [Action]
    /// The rule as written, for the canonical export.
    public var spec: AutomationSpec

    public init(key: String, trigger: Trigger, condition: Condition, actions: [Action], spec: AutomationSpec) {
        self.key = key
        self.trigger = trigger
        self.condition = condition
        self.actions = actions
        self.spec = spec
    }
}
