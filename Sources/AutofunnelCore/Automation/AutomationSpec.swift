/// An automation rule as written in a pipeline's definition file: trigger → conditions → actions.
///
/// ```yaml
/// automations:
/// - key: proposal_task
///   trigger: {on: stage_entered, stage: proposal_made}
///   actions:
///   - {do: create_task, title: "{{Контакт: Имя}}. Получить ответ на КП", due: 1d}
/// ```
public struct AutomationSpec: Hashable, Sendable, Codable {
    /// What starts a rule.
    public struct TriggerSpec: Hashable, Sendable, Codable {
        /// `deal_created`, `stage_entered`, `stage_left`, `field_changed`, `time_in_stage`, `stage_timeout`, `task_completed`,
        /// `task_overdue`, `lead_captured`, `message_received`, `date_reached`, `callback_received`.
        public var on: String
        public var stage: String?
        public var field: String?
        /// `field_changed`: the value the field changed to (absent: any value).
        public var to: JSONValue?
        /// `time_in_stage`: how long, as 30s, 90m, 48h or 3d.
        public var after: String?
        /// `lead_captured`: only leads from this inbound source.
        public var source: String?
        /// `message_received`: the channel's name.
        public var channel: String?
        /// `message_received`: the text to match (trimmed, case-insensitive), e.g. a digit.
        public var text: String?
        /// `date_reached`: a signed duration from the date field's moment, such as -3d or 2h.
        public var offset: String?
        /// `callback_received`: the `call_and_wait` rule answered; `task_completed`: the rule that made the task.
        public var rule: String?
        /// `callback_received`: `approved`, `rejected` or `timeout`.
        public var result: String?
        public init(
            on: String, stage: String? = nil, field: String? = nil, to: JSONValue? = nil, after: String? = nil, source: String? = nil,
            channel: String? = nil, text: String? = nil, offset: String? = nil, rule: String? = nil, result: String? = nil
        ) {
            self.source = source
            self.channel = channel
            self.text = text
            self.offset = offset
            self.rule = rule
            self.result = result
            self.on = on
            self.stage = stage
            self.field = field
            self.to = to
            self.after = after
        }
    }

    /// A condition: a predicate on one field, or a group (`any` = OR, `all` = AND).
    public struct ConditionSpec: Hashable, Sendable, Codable {
        public var field: String?
        public var equals: JSONValue?
        public var `in`: [JSONValue]?
        public var greater: Double?
        public var less: Double?
        public var empty: Bool?
        public var contains: String?
        /// `has_tag`: the deal carries this tag (matched case-folded); no `field`.
        public var hasTag: String?
        public var any: [ConditionSpec]?
        public var all: [ConditionSpec]?

        enum CodingKeys: String, CodingKey {
            case field, equals, `in`, greater, less, empty, contains, any, all
            case hasTag = "has_tag"
        }

        public init(
            field: String? = nil, equals: JSONValue? = nil, in values: [JSONValue]? = nil, greater: Double? = nil, less: Double? = nil,
            empty: Bool? = nil, contains: String? = nil, any: [ConditionSpec]? = nil, all: [ConditionSpec]? = nil, hasTag: String? = nil
        ) {
            self.hasTag = hasTag
            self.field = field
            self.equals = equals
            self.in = values
            self.greater = greater
            self.less = less
            self.empty = empty
            self.contains = contains
            self.any = any
            self.all = all
        }
    }

    /// One action, named by `do`: `move`, `set_field`, `set_responsible`, `create_task`, `close_won`, `close_lost`,
    /// `copy_to_pipeline`, `call_webhook`, `send_message`, `call_and_wait`, `open_deal`, `render_document`, `add_tag`,
    /// `remove_tag`.
    public struct ActionSpec: Hashable, Sendable, Codable {
        public var `do`: String
        public var stage: String?
        public var field: String?
        public var value: JSONValue?
        /// `set_responsible`: a user's e-mail, `head_of_sales`, or absent with `users` for round-robin.
        public var user: String?
        public var users: [String]?
        public var title: String?
        public var text: String?
        /// `create_task`: due after, as 30s, 90m, 48h or 3d.
        public var due: String?
        /// `create_task`: `responsible` (default) or `head_of_sales`.
        public var assignee: String?
        public var reason: String?
        public var comment: String?
        public var pipeline: String?
        /// `call_webhook`, `call_and_wait`: the endpoint's name.
        public var endpoint: String?
        /// `send_message`: the channel's name.
        public var channel: String?
        /// `send_message`: `contact` (default), `responsible` or `head_of_sales`.
        public var to: String?
        /// `send_message`: the e-mail subject (a template).
        public var subject: String?
        /// `call_and_wait`: how long to wait for the answer, as 30s, 90m, 48h or 3d.
        public var wait: String?
        /// `call_and_wait`: the stage an approval moves to (default: the next stage), a rejection moves to, and the
        /// stage when no answer came in time.
        public var approved: String?
        public var rejected: String?
        public var timeout: String?
        /// `render_document`: the document's name and its HTML template.
        public var name: String?
        public var template: String?
        /// `add_tag`, `remove_tag`: the tag.
        public var tag: String?
        public init(
            do action: String, stage: String? = nil, field: String? = nil, value: JSONValue? = nil, user: String? = nil, users: [String]? = nil,
            title: String? = nil, text: String? = nil, due: String? = nil, assignee: String? = nil, reason: String? = nil, comment: String? = nil,
            pipeline: String? = nil, endpoint: String? = nil, channel: String? = nil, to: String? = nil, subject: String? = nil, wait: String? = nil,
            approved: String? = nil, rejected: String? = nil, timeout: String? = nil, name: String? = nil, template: String? = nil,
            tag: String? = nil
        ) {
            self.tag = tag
            self.endpoint = endpoint
            self.channel = channel
            self.to = to
            self.subject = subject
            self.wait = wait
            self.approved = approved
            self.rejected = rejected
            self.timeout = timeout
            self.name = name
            self.template = template
            self.do = action
            self.stage = stage
            self.field = field
            self.value = value
            self.user = user
            self.users = users
            self.title = title
            self.text = text
            self.due = due
            self.assignee = assignee
            self.reason = reason
            self.comment = comment
            self.pipeline = pipeline
        }
    }

    public var key: String
    public var trigger: TriggerSpec
    /// Every condition must hold (AND); `any`/`all` groups nest.
    public var when: [ConditionSpec]?
    public var actions: [ActionSpec]

    public init(key: String, trigger: TriggerSpec, when: [ConditionSpec]? = nil, actions: [ActionSpec]) {
        self.key = key
        self.trigger = trigger
        self.when = when
        self.actions = actions
    }
}
