import AutofunnelCore
import AutofunnelStore

/// Creates, changes and moves inside the caller's transaction: the other CRMs' dialects take lists of records and save
/// all of them or none.
extension DealService {
    /// `create` inside the caller's transaction.
    public func create(
        in s: StoreSession, pipeline key: PipelineKey, stage: StageKey?, input: DealInput, actor: Actor, principal: Principal?, now: Timestamp
    ) async throws -> Deal {
        var cascade = AutomationCascade()
        return try await createIn(s, pipeline: key, stage: stage, input: input, actor: actor, principal: principal, now: now, cascade: &cascade)
    }

    /// `update` inside the caller's transaction.
    public func update(
        in s: StoreSession, _ id: DealID, input: DealInput, actor: Actor, principal: Principal?, now: Timestamp,
        prepare: @Sendable (Deal, inout DealInput, StoreSession) async throws -> Void = { _, _, _ in }
    ) async throws -> Deal {
        let deal = try await s.deal(id, forUpdate: true)
        try Self.authorize(deal, principal, .edit)
        var input = input
        try await prepare(deal, &input, s)
        try Self.authorize(input, on: deal, principal, catalog: try await s.fieldCatalog())
        var cascade = AutomationCascade()
        return try await updateIn(s, id, input: input, actor: actor, now: now, cascade: &cascade)
    }

    /// `move` inside the caller's transaction.
    public func move(
        in s: StoreSession, _ id: DealID, to stage: StageKey, input: DealInput, lossComment: String?, actor: Actor, principal: Principal?,
        now: Timestamp
    ) async throws -> Deal {
        try await change(in: s, id, input: input, actor: actor, principal: principal, need: .edit, now: now) { _, _ in
            .move(to: stage, lossComment: lossComment)
        }
    }
}
