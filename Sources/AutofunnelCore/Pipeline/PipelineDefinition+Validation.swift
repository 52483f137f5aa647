extension PipelineDefinition {
    /// Turns the file into a validated pipeline, or lists every problem with a path into the file.
    /// `knownFields` are the custom fields that already exist; the file's own fields are added to them.
    public func validated(knownFields: FieldCatalog) -> Result<Pipeline, Refusal> {
        var problems: [Violation] = []
        func problem(_ path: String, _ ru: String, _ en: String) {
            problems.append(Violation(rule: .invalidDefinition, field: path, message: .init(ru: ru, en: en)))
        }
        if !key.isValidKey { problem("key", "Ключ воронки «\(key)» должен состоять из a-z, 0-9, _", "Pipeline key '\(key)' must use a-z, 0-9 and _") }
        let declared = (fields ?? []).map {
            FieldDefinition(entity: $0.entity, key: FieldKey($0.key), type: $0.type, name: $0.name, options: $0.options, access: $0.access)
        }
        for (i, f) in declared.enumerated() { problems += f.problems(path: "fields[\(i)]") }
        let catalog = knownFields.adding(declared)
        let declaredKeys = declared.map { "\($0.entity.rawValue).\($0.key)" }
        if Set(declaredKeys).count != declaredKeys.count { problem("fields", "Поля в файле повторяются", "The file declares a field twice") }

        var stages: [Stage] = []
        for (i, s) in self.stages.enumerated() {
            let path = "stages[\(i)]"
            if !s.key.isValidKey {
                problem(path + ".key", "Ключ этапа «\(s.key)» должен состоять из a-z, 0-9, _", "Stage key '\(s.key)' must use a-z, 0-9 and _")
            }
            var required: [FieldReference] = []
            for (j, text) in (s.requiredToLeave ?? []).enumerated() {
                guard let ref = FieldReference(text) else {
                    problem("\(path).requiredToLeave[\(j)]", "Непонятная ссылка на поле «\(text)»", "Unreadable field reference '\(text)'")
                    continue
                }
                if let (entity, fieldKey) = ref.customField, catalog.definition(entity, fieldKey) == nil {
                    problem("\(path).requiredToLeave[\(j)]", "Поле «\(text)» не объявлено", "Field '\(text)' is not declared")
                }
                required.append(ref)
            }
            var limit: StageDuration?
            if let text = s.maxTimeInStage {
                limit = StageDuration(text)
                if limit == nil {
                    problem(
                        path + ".maxTimeInStage", "Срок «\(text)» пишется как 30s, 90m, 48h или 3d",
                        "Limit '\(text)' must look like 30s, 90m, 48h or 3d")
                }
            }
            if let p = s.probability, !(0...100).contains(p) {
                problem(path + ".probability", "Вероятность от 0 до 100", "Probability must be 0 to 100")
            }
            if s.lossCommentRequired == true && s.outcome != .lost {
                problem(
                    path + ".lossCommentRequired", "Комментарий к отказу бывает только у этапа отказа", "Only lost stages take lossCommentRequired")
            }
            if s.outcome != nil && !(s.requiredToLeave ?? []).isEmpty {
                problem(
                    path + ".requiredToLeave", "Из закрывающего этапа не уходят — обязательные поля не нужны",
                    "Closing stages are never left; they take no requiredToLeave")
            }
            if let email = s.responsibleOnEntry, EmailAddress.normalize(email) == nil {
                problem(path + ".responsibleOnEntry", "Нужен e-mail пользователя", "Must be a user's e-mail")
            }
            stages.append(
                Stage(
                    key: StageKey(s.key), name: s.name, kind: s.kind, isKeyStage: s.keyStage ?? false, instructions: s.instructions,
                    requiredToLeave: required, maxTimeInStage: limit, responsibleOnEntry: s.responsibleOnEntry.flatMap(EmailAddress.normalize),
                    probability: s.probability, outcome: s.outcome, lossCommentRequired: s.lossCommentRequired ?? false))
        }
        let keys = stages.map(\.key)
        if Set(keys).count != keys.count { problem("stages", "Ключи этапов повторяются", "Stage keys repeat") }
        if !stages.contains(where: { !$0.isClosing }) { problem("stages", "Нужен хотя бы один рабочий этап", "At least one open stage is needed") }
        let won = stages.filter { $0.outcome == .won }.count
        if won != 1 { problem("stages", "Нужен ровно один этап «успешно» (сейчас \(won))", "Exactly one won stage is needed (found \(won))") }
        if !stages.contains(where: { $0.outcome == .lost }) {
            problem("stages", "Нужен хотя бы один этап отказа — это причины отказа", "At least one lost stage (a loss reason) is needed")
        }
        for (old, new) in (stageMapping ?? [:]).sorted(by: { $0.key < $1.key }) {
            if keys.contains(StageKey(old)) {
                problem("stageMapping.\(old)", "Этап «\(old)» остаётся в воронке", "Stage '\(old)' is still in the pipeline")
            }
            if !stages.contains(where: { $0.key.rawValue == new && !$0.isClosing }) {
                problem("stageMapping.\(old)", "Этапа «\(new)» нет среди рабочих этапов", "'\(new)' is not an open stage of the pipeline")
            }
        }
        let hours = workingHours.flatMap { spec in spec.validated(problem) }
        var rules: [AutomationRule] = []
        if problems.isEmpty {
            for (i, spec) in (automations ?? []).enumerated() {
                switch spec.validated(path: "automations[\(i)]", stages: stages, catalog: catalog) {
                case .success(let rule): rules.append(rule)
                case .failure(let refusal): problems += refusal.violations
                }
            }
            let ruleKeys = (automations ?? []).map(\.key)
            if Set(ruleKeys).count != ruleKeys.count { problem("automations", "Ключи правил повторяются", "Rule keys repeat") }
        }
        guard problems.isEmpty else { return .failure(Refusal(problems)) }
        let p = policy ?? Policy()
        return .success(
            Pipeline(
                key: PipelineKey(key), name: name,
                policy: MovePolicy(user: p.user ?? .all, automation: p.automation ?? .all, api: p.api ?? .all, import: p.import ?? .all),
                declaredFields: declared, stages: stages, automations: rules, workingHours: hours))
    }
}

extension Pipeline {
    /// The pipeline as a definition file, in the canonical form that `validated` reads back unchanged.
    public var definition: PipelineDefinition {
        PipelineDefinition(
            key: key.rawValue, name: name,
            policy: .init(user: policy.user, automation: policy.automation, api: policy.api, import: policy.import),
            fields: declaredFields.isEmpty
                ? nil
                : declaredFields.map {
                    .init(entity: $0.entity, key: $0.key.rawValue, type: $0.type, name: $0.name, options: $0.options, access: $0.access)
                },
            stages: stages.map { s in
                .init(
                    key: s.key.rawValue, name: s.name, kind: s.kind, keyStage: s.isKeyStage ? true : nil, instructions: s.instructions,
                    requiredToLeave: s.requiredToLeave.isEmpty ? nil : s.requiredToLeave.map(\.description), maxTimeInStage: s.maxTimeInStage?.text,
                    responsibleOnEntry: s.responsibleOnEntry, probability: s.probability, outcome: s.outcome,
                    lossCommentRequired: s.lossCommentRequired ? true : nil)
            },
            automations: automations.isEmpty ? nil : automations.map(\.spec), workingHours: workingHours.map(WorkingHoursSpec.init))
    }
}
