/// A validated pipeline: ordered open stages, exactly one won stage and at least one lost stage.
/// Build one from a `PipelineDefinition` with `PipelineDefinition.validated(knownFields:)`.
public struct Pipeline: Hashable, Sendable {
    public var key: PipelineKey
    public var name: Localized
    public var policy: MovePolicy
    /// Custom fields this pipeline's definition file declares.
    public var declaredFields: [FieldDefinition]
    /// All stages in definition order.
    public var stages: [Stage]
    /// Automation rules in file order.
    public var automations: [AutomationRule]
    /// The days and hours people work, if the definition sets them.
    public var workingHours: WorkingHours?

    public init(
        key: PipelineKey, name: Localized, policy: MovePolicy, declaredFields: [FieldDefinition], stages: [Stage], automations: [AutomationRule] = [],
        workingHours: WorkingHours? = nil
    ) {
        self.automations = automations
        self.workingHours = workingHours
        self.key = key
        self.name = name
        self.policy = policy
        self.declaredFields = declaredFields
        self.stages = stages
    }

    /// When a task a rule makes with `due` is due: on the clock, or counted in working days when the pipeline sets
    /// working hours.
    public func due(after due: StageDuration, from now: Timestamp) -> Timestamp {
        workingHours?.due(after: due, from: now) ?? now.adding(millis: due.millis)
    }

    /// The stages a deal works through, in order.
    public var openStages: [Stage] { stages.filter { !$0.isClosing } }
    /// The single won stage.
    public var wonStage: Stage { stages.first { $0.outcome == .won }! }
    /// The lost stages, each a loss reason.
    public var lostStages: [Stage] { stages.filter { $0.outcome == .lost } }
    /// The stage new deals start in.
    public var firstStage: Stage { openStages[0] }

    /// The stage with this key, if the pipeline has it.
    public func stage(_ key: StageKey) -> Stage? { stages.first { $0.key == key } }
    /// The position of an open stage among the open stages.
    public func openIndex(of key: StageKey) -> Int? { openStages.firstIndex { $0.key == key } }
    /// The stage after an open stage: the next open one, or the won stage after the last.
    public func stage(after key: StageKey) -> StageKey? {
        guard let i = openIndex(of: key) else { return nil }
        return i + 1 < openStages.count ? openStages[i + 1].key : wonStage.key
    }
}
