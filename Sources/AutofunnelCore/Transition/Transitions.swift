/// The one transition path. Every stage change, whoever asks (board, API, automation, import, CLI), is decided here.
public enum Transitions {
    /// Decides a stage change of a deal under its pipeline's rules and returns the accepted transition or every violation.
    ///
    /// - Moving forward needs the required fields of the stage left and of every stage skipped.
    /// - The pipeline's policy says per actor kind whether forward, backward, skipping and closing moves are allowed.
    /// - Closing as lost into a stage that needs a comment needs the comment; won needs the fields of every stage still ahead.
    /// - A closed deal moves only by an explicit reopen with a reason.
    /// - A remap (the definition removed the deal's stage) asks neither the policy nor the required fields.
    public static func transition(
        _ snapshot: DealSnapshot, _ change: StageChange, actor: ActorKind, pipeline: Pipeline, fields: FieldCatalog, now: Timestamp
    ) -> Result<AcceptedTransition, Refusal> {
        switch change {
        case .move(let target, let comment):
            return move(snapshot, to: target, lossComment: comment, actor: actor, pipeline: pipeline, fields: fields, now: now)
        case .reopen(let reason, let target):
            return reopen(snapshot.deal, reason: reason, to: target, pipeline: pipeline, now: now)
        case .remap(let target):
            return remap(snapshot.deal, to: target, pipeline: pipeline, now: now)
        }
    }

    /// Checks that a new deal may start in `stage`: an open stage, with the required fields of every stage before it filled
    /// (when the pipeline's policy asks them of `actor`).
    public static func entry(
        _ snapshot: DealSnapshot, stage key: StageKey, pipeline: Pipeline, fields: FieldCatalog, actor: ActorKind = .user
    ) -> [Violation] {
        guard let index = pipeline.openIndex(of: key) else {
            return [unknownStage(key, pipeline: pipeline, field: "stage")]
        }
        guard pipeline.policy.requiresFields(actor) else { return [] }
        return pipeline.openStages[0..<index].flatMap { RequiredFields.missing(leaving: $0, snapshot, fields: fields) }
    }

    private static func move(
        _ snapshot: DealSnapshot, to target: StageKey, lossComment: String?, actor: ActorKind, pipeline: Pipeline, fields: FieldCatalog,
        now: Timestamp
    ) -> Result<AcceptedTransition, Refusal> {
        let deal = snapshot.deal
        guard deal.status == .open else { return .failure(.init([closed(deal)])) }
        guard let to = pipeline.stage(target) else { return .failure(.init([unknownStage(target, pipeline: pipeline, field: "stage")])) }
        guard target != deal.stage else {
            return .failure(
                .init([
                    Violation(
                        rule: .sameStage, field: "stage", stage: target,
                        message: .init(
                            ru: "Сделка уже на этапе «\(to.name.ru)»", en: "The deal is already in stage '\(to.name.en)'"))
                ]))
        }
        let permissions = pipeline.policy[actor]
        let checksFields = pipeline.policy.requiresFields(actor)
        let openStages = pipeline.openStages
        let current = pipeline.openIndex(of: deal.stage) ?? 0
        var violations: [Violation] = []
        var updated = deal
        let direction: AcceptedTransition.Direction
        if let outcome = to.outcome {
            direction = .close
            if !permissions.close { violations.append(forbidden("закрывать сделки", "close deals", actor, stage: target)) }
            switch outcome {
            case .won where checksFields:
                violations += openStages[current...].flatMap { RequiredFields.missing(leaving: $0, snapshot, fields: fields) }
                updated.status = .won
            case .won:
                updated.status = .won
            case .lost:
                // Trimmed of every invisible character: a comment of zero-width spaces is no comment.
                let comment = lossComment?.trimmed ?? ""
                if let unstorable = UserText.unstorable(comment, field: "lossComment") { violations.append(unstorable) }
                if to.lossCommentRequired && comment.isEmpty {
                    violations.append(
                        Violation(
                            rule: .lossCommentRequired, field: "lossComment", stage: target,
                            message: .init(
                                ru: "Для причины отказа «\(to.name.ru)» нужен комментарий", en: "Loss reason '\(to.name.en)' needs a comment")))
                }
                updated.status = .lost
                updated.lossComment = comment.isEmpty ? nil : comment
            }
            updated.closedAt = now
        } else {
            let index = pipeline.openIndex(of: target)!
            if index > current {
                direction = .forward
                if !permissions.forward { violations.append(forbidden("двигать сделки вперёд", "move deals forward", actor, stage: target)) }
                if index > current + 1 && !permissions.skip {
                    violations.append(forbidden("перескакивать этапы", "skip stages", actor, stage: target))
                }
                if checksFields {
                    violations += openStages[current..<index].flatMap { RequiredFields.missing(leaving: $0, snapshot, fields: fields) }
                }
            } else {
                direction = .backward
                if !permissions.backward { violations.append(forbidden("двигать сделки назад", "move deals backward", actor, stage: target)) }
            }
        }
        guard violations.isEmpty else { return .failure(.init(violations)) }
        updated.stage = target
        updated.stageEnteredAt = now
        updated.updatedAt = now
        return .success(
            AcceptedTransition(
                from: deal.stage, to: target, direction: direction, deal: updated, responsibleOnEntry: to.responsibleOnEntry,
                cause: direction == .close ? "close" : "move"))
    }

    private static func reopen(_ deal: Deal, reason: String, to target: StageKey, pipeline: Pipeline, now: Timestamp) -> Result<
        AcceptedTransition, Refusal
    > {
        var violations: [Violation] = []
        if deal.status == .open {
            violations.append(
                Violation(
                    rule: .notClosed, field: nil, stage: deal.stage,
                    message: .init(
                        ru: "Сделка не закрыта — переоткрывать нечего", en: "The deal is open; there is nothing to reopen")))
        }
        if let unstorable = UserText.unstorable(reason, field: "reason") { violations.append(unstorable) }
        if reason.isBlank {
            violations.append(
                Violation(
                    rule: .reasonRequired, field: "reason",
                    message: .init(
                        ru: "Укажите причину, по которой сделка переоткрывается", en: "Give the reason for reopening the deal")))
        }
        let stage = pipeline.stage(target)
        if stage == nil || stage!.isClosing {
            violations.append(unknownStage(target, pipeline: pipeline, field: "stage", openOnly: true))
        }
        guard violations.isEmpty, let stage else { return .failure(.init(violations)) }
        var updated = deal
        updated.status = .open
        updated.stage = target
        updated.closedAt = nil
        updated.lossComment = nil
        updated.stageEnteredAt = now
        updated.updatedAt = now
        return .success(
            AcceptedTransition(
                from: deal.stage, to: target, direction: .reopen, deal: updated, responsibleOnEntry: stage.responsibleOnEntry,
                cause: "reopen: \(reason.trimmed)"))
    }

    // The definition's author moves these deals, in the file that also sets the policy, out of a stage that no longer
    // exists. The policy's forward, backward and skip mean nothing for a stage with no place in the pipeline, and the
    // new definition may require fields these deals never had reason to fill: either would leave them in a stage that
    // is gone, or make the definition impossible to apply. So neither is asked; only an open deal whose stage is gone
    // moves, into an open stage.
    private static func remap(_ deal: Deal, to target: StageKey, pipeline: Pipeline, now: Timestamp) -> Result<AcceptedTransition, Refusal> {
        guard deal.status == .open else { return .failure(.init([closed(deal)])) }
        if let kept = pipeline.stage(deal.stage) {
            return .failure(
                .init([
                    Violation(
                        rule: .invalidDefinition, field: "stageMapping.\(deal.stage)", stage: deal.stage,
                        message: .init(
                            ru: "Этап «\(kept.name.ru)» остаётся в воронке: сделки уходят из него по правилам переходов",
                            en: "Stage '\(kept.name.en)' is still in the pipeline: its deals leave it by the move rules"))
                ]))
        }
        guard let stage = pipeline.stage(target), !stage.isClosing else {
            return .failure(.init([unknownStage(target, pipeline: pipeline, field: "stage", openOnly: true)]))
        }
        var updated = deal
        updated.stage = target
        updated.stageEnteredAt = now
        updated.updatedAt = now
        return .success(
            AcceptedTransition(
                from: deal.stage, to: target, direction: .remap, deal: updated, responsibleOnEntry: stage.responsibleOnEntry,
                cause: "definition change"))
    }

    private static func closed(_ deal: Deal) -> Violation {
        Violation(
            rule: .closedDeal, field: "stage", stage: deal.stage,
            message: .init(
                ru: "Сделка закрыта; чтобы двигать её, сначала переоткройте её с указанием причины",
                en: "The deal is closed; reopen it with a reason before moving it"))
    }

    static func unknownStage(_ key: StageKey, pipeline: Pipeline, field: String, openOnly: Bool = false) -> Violation {
        Violation(
            rule: .unknownStage, field: field, stage: key,
            message: .init(
                ru: "В воронке «\(pipeline.name.ru)» нет \(openOnly ? "открытого " : "")этапа «\(key)»",
                en: "Pipeline '\(pipeline.name.en)' has no \(openOnly ? "open " : "")stage '\(key)'"))
    }

    private static func forbidden(_ ru: String, _ en: String, _ actor: ActorKind, stage: StageKey) -> Violation {
        let who = ActorNames.name(of: actor)
        return Violation(
            rule: .policyForbids, field: "stage", stage: stage,
            message: .init(
                ru: "Правила воронки не разрешают \(who.ru) \(ru)", en: "The pipeline's policy does not let \(who.en) \(en)"))
    }
}
