/// A pipeline as written in its definition file (YAML or JSON): stages, rules, fields and policy.
/// Keys that hold a default (false, empty, absent) are left out, so exporting what was applied gives the same text.
public struct PipelineDefinition: Hashable, Sendable, Codable {
    /// A move policy per actor kind, as written in the file.
    public struct Policy: Hashable, Sendable, Codable {
        public var user: MovePolicy.Permissions?
        public var automation: MovePolicy.Permissions?
        public var api: MovePolicy.Permissions?
        public var `import`: MovePolicy.Permissions?
        public init(
            user: MovePolicy.Permissions? = nil, automation: MovePolicy.Permissions? = nil, api: MovePolicy.Permissions? = nil,
            import: MovePolicy.Permissions? = nil
        ) {
            self.user = user
            self.automation = automation
            self.api = api
            self.import = `import`
        }
    }

    /// A custom field declared by the file.
    public struct FieldSpec: Hashable, Sendable, Codable {
        public var entity: FieldEntity
        public var key: String
        public var type: FieldType
        public var name: Localized
        public var options: [FieldDefinition.Option]?
        public var access: [Role: FieldAccess]?
        public init(
            entity: FieldEntity, key: String, type: FieldType, name: Localized, options: [FieldDefinition.Option]? = nil,
            access: [Role: FieldAccess]? = nil
        ) {
            self.entity = entity
            self.key = key
            self.type = type
            self.name = name
            self.options = options
            self.access = access
        }
    }

    /// A stage as written in the file.
    public struct StageSpec: Hashable, Sendable, Codable {
        public var key: String
        public var name: Localized
        public var kind: Stage.Kind
        public var keyStage: Bool?
        public var instructions: Localized?
        public var requiredToLeave: [String]?
        public var maxTimeInStage: String?
        public var responsibleOnEntry: String?
        public var probability: Int?
        public var outcome: Stage.Outcome?
        public var lossCommentRequired: Bool?
        public init(
            key: String, name: Localized, kind: Stage.Kind, keyStage: Bool? = nil, instructions: Localized? = nil, requiredToLeave: [String]? = nil,
            maxTimeInStage: String? = nil, responsibleOnEntry: String? = nil, probability: Int? = nil, outcome: Stage.Outcome? = nil,
            lossCommentRequired: Bool? = nil
        ) {
            self.key = key
            self.name = name
            self.kind = kind
            self.keyStage = keyStage
            self.instructions = instructions
            self.requiredToLeave = requiredToLeave
            self.maxTimeInStage = maxTimeInStage
            self.responsibleOnEntry = responsibleOnEntry
            self.probability = probability
            self.outcome = outcome
            self.lossCommentRequired = lossCommentRequired
        }
    }

    public var key: String
    public var name: Localized
    public var policy: Policy?
    public var fields: [FieldSpec]?
    public var stages: [StageSpec]
    /// The pipeline's automation rules, run in order for each event.
    public var automations: [AutomationSpec]?
    /// When re-applying: where the deals of each removed stage go.
    public var stageMapping: [String: String]?
    /// The days and hours people work; rules' task due times in days count working days.
    public var workingHours: WorkingHoursSpec?

    public init(
        key: String, name: Localized, policy: Policy? = nil, fields: [FieldSpec]? = nil, stages: [StageSpec], automations: [AutomationSpec]? = nil,
        stageMapping: [String: String]? = nil, workingHours: WorkingHoursSpec? = nil
    ) {
        self.automations = automations
        self.workingHours = workingHours
        self.key = key
        self.name = name
        self.policy = policy
        self.fields = fields
        self.stages = stages
        self.stageMapping = stageMapping
    }
}
