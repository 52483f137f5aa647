import AutofunnelCore
import AutofunnelTestSupport
import Testing

@Suite("The one transition path")
struct TransitionRulesTests {
    let pipeline = Fixtures.salesPipeline().0
    let fields = Fixtures.salesPipeline().1

    func move(_ snapshot: DealSnapshot, to stage: StageKey, by actor: ActorKind = .user, comment: String? = nil, in pipeline: Pipeline? = nil)
        -> Result<AcceptedTransition, Refusal>
    {
        Transitions.transition(
            snapshot, .move(to: stage, lossComment: comment), actor: actor, pipeline: pipeline ?? self.pipeline, fields: fields,
            now: Fixtures.t0.adding(millis: 60_000))
    }

    func violations(_ r: Result<AcceptedTransition, Refusal>) -> [Violation] {
        if case .failure(let refusal) = r { return refusal.violations }
        return []
    }

    @Test func leavingNewLeadWithoutClientAndRequirementsIsRefused() {
        let v = violations(move(DealSnapshot(deal: Fixtures.deal()), to: "processing_request"))
        #expect(v.map(\.rule) == [.requiredField, .requiredField])
        #expect(v.map(\.field) == ["contact", "requirements"])
        #expect(v.allSatisfy { $0.stage == "new_lead" })
        #expect(v[1].message.ru == "Чтобы покинуть этап «Новый лид», заполните поле «Требования»")
    }

    @Test func leavingNewLeadWithClientAndRequirementsIsAccepted() throws {
        var deal = Fixtures.deal()
        deal.contact = Fixtures.contact.id
        deal.fields["requirements"] = .string("2 м, зеркало")
        let accepted = try move(DealSnapshot(deal: deal, contact: Fixtures.contact), to: "processing_request").get()
        #expect(accepted.direction == .forward)
        #expect(accepted.deal.stage == "processing_request")
        #expect(accepted.deal.stageEnteredAt == Fixtures.t0.adding(millis: 60_000))
    }

    @Test func skippingStagesNeedsTheFieldsOfEverySkippedStage() {
        var deal = Fixtures.deal()
        deal.contact = Fixtures.contact.id
        deal.fields["requirements"] = .string("шкаф")
        let snapshot = DealSnapshot(deal: deal, contact: Contact(id: Fixtures.contact.id, name: "", createdAt: Fixtures.t0))
        let v = violations(move(snapshot, to: "answer_received", by: .api))
        #expect(Set(v.compactMap(\.field)) == ["amount", "subject", "delivery_method", "contact.name", "contact.phone"])
        #expect(v.allSatisfy { $0.stage == "processing_request" && $0.rule == .requiredField })
    }

    @Test func policyPerActorKind() throws {
        // Guide 001: managers may only move back; forward moves are left to automation.
        let managersBackOnly = PipelineDefinition.Policy(user: .init(forward: false, backward: true, skip: false, close: true))
        let (strict, _) = Fixtures.salesPipeline(policy: managersBackOnly)
        let deal = Fixtures.deal(stage: "proposal_made")
        let forwardByUser = violations(move(DealSnapshot(deal: deal), to: "answer_received", by: .user, in: strict))
        try #require(forwardByUser.map(\.rule) == [.policyForbids])
        #expect(forwardByUser[0].message.en == "The pipeline's policy does not let managers move deals forward")
        _ = try move(DealSnapshot(deal: deal), to: "answer_received", by: .automation, in: strict).get()
        _ = try move(DealSnapshot(deal: deal), to: "processing_request", by: .user, in: strict).get()
    }

    @Test func skippingIsAPermissionOfItsOwn() throws {
        let (noSkipping, _) = Fixtures.salesPipeline(policy: .init(user: .init(forward: true, backward: true, skip: false, close: true)))
        let deal = Fixtures.deal(stage: "proposal_made")
        let v = violations(move(DealSnapshot(deal: deal), to: "invoice_sent", by: .user, in: noSkipping))
        try #require(v.map(\.rule) == [.policyForbids])
        #expect(v[0].message.en == "The pipeline's policy does not let managers skip stages")
        #expect(violations(move(DealSnapshot(deal: deal), to: "invoice_sent", by: .api, in: noSkipping)).isEmpty)
        #expect(violations(move(DealSnapshot(deal: deal), to: "answer_received", by: .user, in: noSkipping)).isEmpty)
    }

    @Test func backwardMovesNeedNoRequiredFields() throws {
        let accepted = try move(DealSnapshot(deal: Fixtures.deal(stage: "proposal_made")), to: "new_lead").get()
        #expect(accepted.direction == .backward)
    }

    @Test func losingIntoAStageThatNeedsACommentIsRefusedWithoutOne() throws {
        let deal = Fixtures.deal(stage: "proposal_made")
        let v = violations(move(DealSnapshot(deal: deal), to: "too_expensive", comment: "   "))
        #expect(v.map(\.rule) == [.lossCommentRequired])
        #expect(v[0].field == "lossComment")
        let lost = try move(DealSnapshot(deal: deal), to: "too_expensive", comment: "Нашли дешевле").get()
        #expect(lost.deal.status == .lost)
        #expect(lost.deal.lossComment == "Нашли дешевле")
        #expect(lost.deal.closedAt != nil)
        _ = try move(DealSnapshot(deal: deal), to: "spam").get()
    }

    @Test func winningNeedsTheFieldsOfEveryStageStillAhead() {
        let v = violations(move(DealSnapshot(deal: Fixtures.deal()), to: "order_received", by: .api))
        #expect(v.count == 7)
        #expect(v.allSatisfy { $0.rule == .requiredField })
    }

    @Test func aClosedDealMovesOnlyByReopenWithAReason() throws {
        var deal = Fixtures.deal(stage: "spam")
        deal.status = .lost
        deal.closedAt = Fixtures.t0
        #expect(violations(move(DealSnapshot(deal: deal), to: "new_lead")).map(\.rule) == [.closedDeal])
        let noReason = Transitions.transition(
            DealSnapshot(deal: deal), .reopen(reason: " ", to: "new_lead"), actor: .user, pipeline: pipeline, fields: fields, now: Fixtures.t0)
        #expect(violations(noReason).map(\.rule) == [.reasonRequired])
        let intoClosing = Transitions.transition(
            DealSnapshot(deal: deal), .reopen(reason: "Клиент вернулся", to: "spam"), actor: .user, pipeline: pipeline, fields: fields,
            now: Fixtures.t0)
        #expect(violations(intoClosing).map(\.rule) == [.unknownStage])
        let reopened = try Transitions.transition(
            DealSnapshot(deal: deal), .reopen(reason: "Клиент вернулся", to: "new_lead"), actor: .user, pipeline: pipeline, fields: fields,
            now: Fixtures.t0
        ).get()
        #expect(reopened.deal.status == .open)
        #expect(reopened.deal.closedAt == nil)
        #expect(reopened.cause == "reopen: Клиент вернулся")
        let openDeal = Transitions.transition(
            DealSnapshot(deal: Fixtures.deal()), .reopen(reason: "x", to: "new_lead"), actor: .user, pipeline: pipeline, fields: fields,
            now: Fixtures.t0)
        #expect(violations(openDeal).map(\.rule) == [.notClosed])
    }

    @Test func unknownAndSameStagesAreRefused() {
        #expect(violations(move(DealSnapshot(deal: Fixtures.deal()), to: "nowhere")).map(\.rule) == [.unknownStage])
        #expect(violations(move(DealSnapshot(deal: Fixtures.deal()), to: "new_lead")).map(\.rule) == [.sameStage])
    }

    /// A definition that removes a stage moves its deals where `stageMapping` says: neither a policy that lets imports
    /// do nothing nor the fields of the stages before the target (none filled here) keeps them in a stage that is gone.
    @Test func aRemapOutOfARemovedStageAsksNeitherPolicyNorRequiredFields() throws {
        let (strict, _) = Fixtures.salesPipeline(policy: .init(import: .init(forward: false, backward: false, skip: false, close: false)))
        func remap(_ deal: Deal, to stage: StageKey) -> Result<AcceptedTransition, Refusal> {
            Transitions.transition(DealSnapshot(deal: deal), .remap(to: stage), actor: .import, pipeline: strict, fields: fields, now: Fixtures.t0)
        }
        let accepted = try remap(Fixtures.deal(stage: "removed"), to: "invoice_sent").get()
        #expect(accepted.direction == .remap && accepted.from == "removed" && accepted.deal.stage == "invoice_sent")
        #expect(accepted.cause == "definition change" && accepted.deal.stageEnteredAt == Fixtures.t0)
        #expect(violations(remap(Fixtures.deal(stage: "proposal_made"), to: "invoice_sent")).map(\.rule) == [.invalidDefinition])
        #expect(violations(remap(Fixtures.deal(stage: "removed"), to: "order_received")).map(\.rule) == [.unknownStage])
        var closed = Fixtures.deal(stage: "removed")
        closed.status = .lost
        #expect(violations(remap(closed, to: "new_lead")).map(\.rule) == [.closedDeal])
    }

    @Test func everyViolationIsReportedAtOnce() {
        let managersBackOnly = PipelineDefinition.Policy(user: .init(forward: false, backward: true, skip: false, close: true))
        let (strict, _) = Fixtures.salesPipeline(policy: managersBackOnly)
        let v = violations(move(DealSnapshot(deal: Fixtures.deal()), to: "proposal_made", by: .user, in: strict))
        #expect(v.map(\.rule) == [.policyForbids, .policyForbids] + Array(repeating: .requiredField, count: 7))
    }

    @Test func closeAndCopyKeepsLineageAndOpensInTheTargetPipeline() throws {
        guard case .success(let production) = Fixtures.salesDefinition(key: "production").validated(knownFields: fields) else {
            Issue.record("fixture")
            return
        }
        var deal = Fixtures.deal(stage: "invoice_sent")
        deal.fields["subject"] = .string("Шкаф")
        let copy = try DealCopy.copy(of: deal, into: production, stage: "processing_request", now: Fixtures.t0).get()
        #expect(copy.lineage == deal.lineage)
        #expect(copy.pipeline == "production")
        #expect(copy.stage == "processing_request")
        #expect(copy.copiedFrom == deal.id)
        #expect(copy.fields == deal.fields)
        #expect(throws: Refusal.self) { try DealCopy.copy(of: deal, into: pipeline, stage: nil, now: Fixtures.t0).get() }
        #expect(throws: Refusal.self) { try DealCopy.copy(of: deal, into: production, stage: "spam", now: Fixtures.t0).get() }
    }
}
