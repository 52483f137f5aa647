extension FunnelLinter {
    /// Mistakes 1, 2, 4, 5, 7, 8, 11 and 13, and lost stages that name no reason.
    static func stageRules(_ p: Pipeline) -> [LintFinding] {
        var out: [LintFinding] = []
        func add(_ rule: String, _ mistake: Int?, _ severity: LintFinding.Severity, _ stage: Stage?, _ message: Localized, _ fix: Localized) {
            out.append(
                LintFinding(
                    rule: rule, mistake: mistake, severity: severity, location: stage.map { at(p, $0) } ?? p.key.rawValue, message: message, fix: fix)
            )
        }
        let open = p.openStages
        for stage in open {
            let name = stage.name.ru
            if !p.automations.contains(where: { $0.createsTask(on: stage.key) }) {
                add(
                    "stage-without-task", 1, .warning, stage,
                    .init(ru: "На этапе «\(name)» не ставится ни одной задачи", en: "Entering '\(stage.name.en)' creates no task"),
                    .init(
                        ru: "Добавьте правило: stage_entered \(stage.key) → create_task", en: "Add a rule: stage_entered \(stage.key) → create_task"))
            }
            if stage.maxTimeInStage == nil {
                add(
                    "stage-without-limit", 2, .warning, stage,
                    .init(ru: "У этапа «\(name)» нет допустимого времени", en: "'\(stage.name.en)' has no maximum time in stage"),
                    .init(
                        ru: "Задайте maxTimeInStage и правило stage_timeout → провал и утепление",
                        en: "Set maxTimeInStage and a stage_timeout rule that loses the deal into nurturing"))
            }
            if (stage.instructions?.ru.trimmed ?? "").isEmpty || (stage.instructions?.en.trimmed ?? "").isEmpty {
                add(
                    "stage-without-instructions", 5, .warning, stage,
                    .init(ru: "У этапа «\(name)» нет подсказки менеджеру", en: "'\(stage.name.en)' has no instructions for the seller"),
                    .init(
                        ru: "Опишите в instructions, что делать на этапе и как продать следующий (ru и en)",
                        en: "Write instructions: what to do here and how to sell the next stage (ru and en)"))
            }
            if let form = StageNames.form(of: stage.name), form != stage.kind {
                add(
                    "stage-kind-mismatch", 8, .warning, stage,
                    .init(
                        ru:
                            "«\(name)» звучит как \(form == .process ? "процессный" : "конверсионный") этап, а помечен \(stage.kind == .process ? "процессным" : "конверсионным")",
                        en: "'\(stage.name.en)' reads as a \(form.rawValue) stage but is marked \(stage.kind.rawValue)"),
                    .init(ru: "Исправьте kind или название этапа", en: "Correct the stage's kind or its name"))
            }
            if StageNames.isTaskLike(stage.name) {
                add(
                    "task-as-stage", 13, .warning, stage,
                    .init(ru: "«\(name)» — это задача, а не этап", en: "'\(stage.name.en)' is a task, not a stage"),
                    .init(
                        ru: "Уберите этап; звонки и перезвоны — задачи с правилами create_task",
                        en: "Remove the stage; calls and call-backs are tasks made by create_task rules"))
            }
        }
        let kinds = Set(open.map(\.kind))
        if kinds.count > 1 {
            add(
                "mixed-stage-kinds", 8, .warning, nil,
                .init(
                    ru: "В воронке смешаны процессные и конверсионные этапы", en: "The pipeline mixes process and conversion stages"),
                .init(
                    ru: "Сделайте все рабочие этапы одного вида (например, в конверсионной форме: «Получили ответ»)",
                    en: "Make all open stages one kind (e.g. the conversion form: 'Reply received')"))
        }
        if !p.stages.contains(where: \.isKeyStage) {
            add(
                "no-key-stage", 11, .warning, nil,
                .init(ru: "В воронке нет ключевого этапа (КЭВ)", en: "The pipeline has no key stage"),
                .init(
                    ru: "Отметьте keyStage: true на этапе, где клиент явно берёт обязательство (счёт, договор)",
                    en: "Mark keyStage: true where the customer clearly commits (invoice, contract)"))
        }
        for (i, stage) in open.enumerated() where stage.isKeyStage && i > 0 {
            let before = open[..<i]
            if before.allSatisfy({ $0.requiredToLeave.isEmpty }) {
                add(
                    "key-stage-without-required-fields", 4, .warning, stage,
                    .init(
                        ru: "До ключевого этапа «\(stage.name.ru)» можно дойти, не заполнив ни одного поля",
                        en: "Deals reach the key stage '\(stage.name.en)' with no field filled in"),
                    .init(
                        ru: "Задайте requiredToLeave на этапах перед ним", en: "Set requiredToLeave on the stages before it"))
            }
        }
        if !p.automations.contains(where: { $0.changesResponsible }) && !open.contains(where: { $0.responsibleOnEntry != nil }),
            let other = open.first(where: { StageNames.belongsToAnotherRole($0.name) })
        {
            add(
                "responsible-never-changes", 7, .warning, other,
                .init(
                    ru: "Этап «\(other.name.ru)» ведёт другой сотрудник, но ответственный в воронке не меняется",
                    en: "'\(other.name.en)' is another role's work, but the responsible never changes in this pipeline"),
                .init(
                    ru: "Задайте responsibleOnEntry этапа или правило set_responsible",
                    en: "Set the stage's responsibleOnEntry or a set_responsible rule"))
        }
        let lost = p.lostStages
        if lost.count == 1, let only = lost.first, StageNames.isGenericLoss(only.name) {
            add(
                "lost-without-reason", nil, .warning, only,
                .init(ru: "Один этап провала «\(only.name.ru)» не называет причину", en: "The one lost stage '\(only.name.en)' names no reason"),
                .init(
                    ru: "Сделайте по этапу провала на каждую причину (дорого, не целевой, пропал)",
                    en: "Make one lost stage per reason (too expensive, not our customer, stopped answering)"))
        }
        if open.count > 1 && [p.policy.user, p.policy.automation, p.policy.api, p.policy.import].allSatisfy({ !$0.forward && !$0.skip }) {
            for stage in open.dropFirst() {
                add(
                    "unreachable-stage", nil, .error, stage,
                    .init(
                        ru: "На этап «\(stage.name.ru)» нельзя попасть: движение вперёд запрещено всем",
                        en: "No one may move forward, so '\(stage.name.en)' is unreachable"),
                    .init(ru: "Разрешите движение вперёд в policy", en: "Allow forward moves in the policy"))
            }
        }
        return out
    }
}
