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
        /// A task was completed; only tasks made by this rule when `rule` is set.
        case taskCompleted(rule: String?)
        /// A task of the deal passed its due time while open.
        case taskOverdue
        /// An inbound lead (a site form, a call) created the deal; from one source when given.
        case leadCaptured(source: String?)
        /// The deal's contact wrote on a channel; only this (trimmed, case-insensitive) text when given, such as a digit.
        case messageReceived(channel: String?, text: String?)
        /// A date field's moment plus a signed offset came (e.g. three days before the next purchase); open or closed deals.
        case dateReached(field: String, offsetMillis: Int64)
        /// An outside system answered a `call_and_wait` (of one rule when given): `approved`, `rejected` or `timeout`.
        case callbackReceived(rule: String?, result: String?)
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
        /// The deal carries the tag with this key (`Tag.key`).
        case hasTag(String)
    }

    /// Who becomes responsible.
    public enum ResponsibleChoice: Hashable, Sendable {
        case user(email: String)
        case headOfSales
        /// The next of these users after the last one chosen by this rule.
        case roundRobin([String])
    }

    /// Who a message goes to.
    public enum Recipient: String, Hashable, Sendable { case contact, responsible, headOfSales = "head_of_sales" }

    /// Where a `call_and_wait` sends the deal when the answer comes, or when none comes in time (nil: it stays).
    public struct WaitBranches: Hashable, Sendable {
        public var approved: StageKey?
        public var rejected: StageKey?
        public var timeout: StageKey?
        public init(approved: StageKey? = nil, rejected: StageKey? = nil, timeout: StageKey? = nil) {
            self.approved = approved
            self.rejected = rejected
            self.timeout = timeout
        }
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
        /// Send a templated message through a channel (e-mail, messenger) via the outbox.
        case sendMessage(channel: String, to: Recipient, subject: String?, text: String)
        /// Post the deal with a callback token to an outside system and wait in the stage for its signed answer.
        case callAndWait(endpoint: String, wait: StageDuration, branches: WaitBranches)
        /// Open a new deal for the same contact and company (the regular-customers cycle); this deal stays as it is.
        case openDeal(PipelineKey, stage: StageKey?, title: String?)
        /// Render an HTML document from a template over the deal and attach it to the deal.
        case renderDocument(name: String, template: String)
        /// Put a tag on the deal (nothing changes when it carries it already).
        case addTag(Tag)
        /// Take a tag off the deal (nothing changes when it does not carry it).
        case removeTag(Tag)
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
