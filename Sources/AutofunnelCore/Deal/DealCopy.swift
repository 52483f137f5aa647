/// Close-and-copy (guide 000, mistake 9): a deal never jumps between pipelines; it closes as won and a copy opens in the target.
public enum DealCopy {
    /// The copy of `deal` for `target`, opening in `stage` (or the first stage). Its id is assigned when stored;
    /// it keeps the lineage, contact, company, amount, responsible, head of sales, source and field values.
    public static func copy(of deal: Deal, into target: Pipeline, stage: StageKey?, now: Timestamp) -> Result<Deal, Refusal> {
        if target.key == deal.pipeline {
            return .failure(
                .init([
                    Violation(
                        rule: .invalidValue, field: "pipeline",
                        message: .init(
                            ru: "Копия открывается в другой воронке; внутри воронки сделку двигают",
                            en: "A copy opens in another pipeline; within one pipeline, move the deal"))
                ]))
        }
        let key = stage ?? target.firstStage.key
        guard let s = target.stage(key), !s.isClosing else {
            return .failure(.init([Transitions.unknownStage(key, pipeline: target, field: "stage", openOnly: true)]))
        }
        var copy = deal
        copy.id = DealID(0)
        copy.pipeline = target.key
        copy.stage = s.key
        copy.status = .open
        copy.lossComment = nil
        copy.closedAt = nil
        copy.copiedFrom = deal.id
        copy.createdAt = now
        copy.updatedAt = now
        copy.stageEnteredAt = now
        return .success(copy)
    }
}
