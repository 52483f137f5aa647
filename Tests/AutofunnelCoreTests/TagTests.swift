import AutofunnelCore
import Testing

@Suite("Tags")
struct TagTests {
    @Test func aTagIsTrimmedFoldedAndBounded() throws {
        let tag = try AutofunnelCore.Tag.parse("  Ёлка \t VIP ").get()
        #expect(tag.name == "Ёлка VIP" && tag.key == "елка vip")
        #expect(try AutofunnelCore.Tag.parse("ЁЛКА vip").get().key == tag.key)
        #expect((try? AutofunnelCore.Tag.parse(String(repeating: "я", count: 50)).get()) != nil)
        #expect((try? AutofunnelCore.Tag.parse(String(repeating: "я", count: 51)).get()) == nil)
        #expect((try? AutofunnelCore.Tag.parse("a,b").get()) == nil)
        #expect((try? AutofunnelCore.Tag.parse(" \u{200B} ").get()) == nil)
        #expect((try? AutofunnelCore.Tag.parse("a\u{7}b").get()) == nil)
    }

    @Test func aListLosesRepeatsAndNamesEveryProblem() throws {
        #expect(try AutofunnelCore.Tag.parseCommaList("VIP, vip ,, Выставка").get().map(\.name) == ["VIP", "Выставка"])
        guard case .failure(let refusal) = AutofunnelCore.Tag.parseList(["", String(repeating: "x", count: 60)]) else {
            Issue.record("accepted")
            return
        }
        #expect(refusal.violations.count == 2)
    }

    @Test func hasTagHoldsForATaggedDealOnly() {
        let deal = Deal(id: DealID(1), lineage: LineageID("l"), pipeline: "p", stage: "s", title: "x", createdAt: Timestamp(millis: 0))
        #expect(Automation.holds(.hasTag("vip"), DealSnapshot(deal: deal, tags: ["vip"])))
        #expect(!Automation.holds(.hasTag("vip"), DealSnapshot(deal: deal)))
    }
}
