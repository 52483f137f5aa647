import AutofunnelCore
import AutofunnelTestSupport
import Testing

/// The decisions the automation runner takes between reads and writes, stated once in Core.
@Suite("Automation decisions (pure)")
struct AutomationDecisionTests {
    @Test func aNewDealCausesCreationAndEntryAndAMoveCausesLeavingEnteringAndFieldChanges() {
        let created = Fixtures.deal()
        #expect(Automation.events(from: nil, to: created) == [.dealCreated, .stageEntered("new_lead")])
        var moved = created
        moved.stage = "proposal_made"
        moved.source = "site"
        let events = Automation.events(from: created, to: moved)
        #expect(Array(events.prefix(2)) == [.stageLeft("new_lead"), .stageEntered("proposal_made")])
        #expect(events.contains(.fieldChanged("source", to: .string("site"))))
        #expect(Automation.events(from: created, to: created).isEmpty, "nothing changed, nothing happens")
    }

    @Test func aDealStillStandsInAStageOnlyWhileOpenAndThere() {
        var deal = Fixtures.deal(stage: "proposal_made")
        #expect(Automation.stillIn(deal, "proposal_made"))
        #expect(!Automation.stillIn(deal, "new_lead"))
        deal.status = .lost
        #expect(!Automation.stillIn(deal, "proposal_made"), "a closed deal stands in no stage for the rules")
    }

    @Test func roundRobinGoesAroundAndSurvivesAShorterListAndAnyStoredText() {
        var stored: String? = nil
        var picked: [Int] = []
        for _ in 0..<7 {
            let next = Automation.roundRobinPosition(after: stored, count: 3)
            picked.append(next ?? -1)
            stored = next.map(String.init)
        }
        #expect(picked == [0, 1, 2, 0, 1, 2, 0])
        #expect(Automation.roundRobinPosition(after: "4", count: 2) == 1, "a list shortened by a new version goes on")
        #expect(Automation.roundRobinPosition(after: String(Int.max), count: 3) != nil, "no overflow on any stored number")
        #expect(Automation.roundRobinPosition(after: String(Int.min), count: 3) != nil)
        #expect(Automation.roundRobinPosition(after: "garbage", count: 3) == 0)
        #expect(Automation.roundRobinPosition(after: "1", count: 0) == nil, "an empty list picks no one")
    }

    @Test func aCallbackMovesByWhatWasSentElseByTheBranchElseOnToTheNextStage() {
        let (pipeline, _) = Fixtures.salesPipeline()
        let deal = Fixtures.deal(stage: "proposal_made")
        let branches = AutomationRule.WaitBranches(approved: "invoice_sent", rejected: "too_expensive", timeout: "spam")
        func target(_ sent: StageKey?, _ approved: Bool, _ b: AutomationRule.WaitBranches = branches, deal d: Deal = deal) -> StageKey? {
            Automation.callbackTarget(sent: sent, approved: approved, branches: b, waitingIn: "proposal_made", deal: d, pipeline: pipeline)
        }
        #expect(target("answer_received", true) == "answer_received", "the stage sent wins")
        #expect(target(nil, true) == "invoice_sent")
        #expect(target(nil, false) == "too_expensive")
        #expect(target(nil, true, .init()) == "answer_received", "an approval without a branch goes to the next stage")
        #expect(target(nil, false, .init()) == nil, "a rejection without a branch stays")
        #expect(target("proposal_made", true) == nil, "the stage it waits in is no move")
        var left = deal
        left.stage = "answer_received"
        #expect(target(nil, true, deal: left) == nil, "a deal that left the waiting stage is not moved back")
        var closed = deal
        closed.status = .won
        #expect(target(nil, true, deal: closed) == nil)
    }

    @Test func aTimeoutTakesItsBranchOnlyWhileTheDealWaits() {
        let deal = Fixtures.deal(stage: "proposal_made")
        let branches = AutomationRule.WaitBranches(timeout: "spam")
        #expect(Automation.timeoutTarget(branches: branches, waitingIn: "proposal_made", deal: deal) == "spam")
        #expect(Automation.timeoutTarget(branches: .init(), waitingIn: "proposal_made", deal: deal) == nil)
        #expect(Automation.timeoutTarget(branches: branches, waitingIn: "new_lead", deal: deal) == nil)
    }

    @Test func anOverdueNoticeGoesToTheCreatorElseTheHeadOfSalesInBothLanguages() {
        var deal = Fixtures.deal()
        deal.headOfSales = UserID(9)
        var task = DealTask(
            id: TaskID(4), deal: deal.id, title: "Позвонить", assignee: UserID(3), creator: UserID(5), dueAt: Fixtures.t0, createdAt: Fixtures.t0)
        let notice = Notice.taskOverdue(task, deal: deal, at: Fixtures.t0)
        #expect(notice?.user == UserID(5))
        #expect(notice?.kind == "task_overdue")
        #expect(notice?.task == TaskID(4))
        #expect(notice?.text == "Просрочена задача «Позвонить» по сделке «Шкаф-купе» / Overdue task 'Позвонить' on deal 'Шкаф-купе'")
        task.creator = nil
        #expect(Notice.taskOverdue(task, deal: deal, at: Fixtures.t0)?.user == UserID(9))
        deal.headOfSales = nil
        #expect(Notice.taskOverdue(task, deal: deal, at: Fixtures.t0) == nil, "no one to tell")
    }
}
