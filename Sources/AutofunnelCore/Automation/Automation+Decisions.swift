/// The decisions the automation runner makes between its reads and writes, kept pure so that each is stated once and
/// tested without a store.
extension Automation {
    /// The events a change of a deal causes: creation, leaving and entering stages, and every changed field.
    public static func events(from old: Deal?, to new: Deal) -> [AutomationEvent] {
        guard let old else { return [.dealCreated, .stageEntered(new.stage)] }
        var out: [AutomationEvent] = []
        if old.stage != new.stage { out += [.stageLeft(old.stage), .stageEntered(new.stage)] }
        let oldSnap = DealSnapshot(deal: old)
        let newSnap = DealSnapshot(deal: new)
        let names = AutomationSpec.builtinFields.sorted() + Set(old.fields.keys).union(new.fields.keys).map(\.rawValue).sorted()
        for name in names where value(name, oldSnap) != value(name, newSnap) {
            out.append(.fieldChanged(name, to: value(name, newSnap)))
        }
        return out
    }

    /// Whether a deal still stands in `stage`: open and there. A stage timer is set, fires and a wait's answer moves
    /// the deal only while this holds.
    public static func stillIn(_ deal: Deal, _ stage: StageKey) -> Bool { deal.status == .open && deal.stage == stage }

    /// The next position of a round-robin over `count` users after the position stored last (nil or unreadable: none
    /// yet). A list shortened by a new definition version goes on from its start; nil when the list is empty.
    public static func roundRobinPosition(after stored: String?, count: Int) -> Int? {
        guard count > 0 else { return nil }
        let last = stored.flatMap { Int($0) } ?? -1
        // The remainder first, so that no stored number, however large or negative, overflows.
        return ((last % count) + 1 + count) % count
    }

    /// Where an answer to a `call_and_wait` moves the deal: the stage the caller sent, else the rule's branch for the
    /// answer (an approval without one goes to the stage after the waiting one). Nil when the deal stays: it has left
    /// the waiting stage or closed meanwhile, or the target is the stage it waits in.
    public static func callbackTarget(
        sent: StageKey?, approved: Bool, branches: AutomationRule.WaitBranches, waitingIn stage: StageKey, deal: Deal, pipeline: Pipeline
    ) -> StageKey? {
        let target = sent ?? (approved ? branches.approved ?? pipeline.stage(after: stage) : branches.rejected)
        guard let target, stillIn(deal, stage), target != stage else { return nil }
        return target
    }

    /// Where a wait's deadline moves the deal: the rule's timeout branch, while the deal still waits in the stage.
    public static func timeoutTarget(branches: AutomationRule.WaitBranches, waitingIn stage: StageKey, deal: Deal) -> StageKey? {
        guard let target = branches.timeout, stillIn(deal, stage) else { return nil }
        return target
    }
}

extension Notice {
    /// The notice that a task passed its due time, for its creator (else the deal's head of sales), in both languages.
    public static func taskOverdue(_ task: DealTask, deal: Deal, at now: Timestamp) -> Notice? {
        guard let recipient = task.creator ?? deal.headOfSales else { return nil }
        return Notice(
            user: recipient, deal: deal.id, task: task.id, kind: "task_overdue",
            text: "Просрочена задача «\(task.title)» по сделке «\(deal.title)» / Overdue task '\(task.title)' on deal '\(deal.title)'",
            createdAt: now)
    }
}
