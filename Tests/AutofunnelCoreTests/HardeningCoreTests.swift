import PropertyBased
import Testing

@testable import AutofunnelCore

@Suite("Hardening: bounded numbers, exact totals, escaping by context")
struct HardeningCoreTests {
    let rub = CurrencyCode("RUB")!

    @Test func totalsOfTheLargestAmountsStayExact() throws {
        let largest = try Money.parse("99999999999999.99", currency: rub).get()
        var total = MoneyTotal.zero(rub)
        for _ in 0..<1000 { total = total.adding(largest) }
        // 64 bits overflow after 92 such amounts; the total keeps every kopeck.
        #expect(total.decimalText == "99999999999999990.00")
        #expect(MoneyTotal(high: 10, low: 5, currency: CurrencyCode("JPY")!).scaledUnits == 10_000_000_005)
    }

    @Test func revenueAndForecastSumPast64Bits() throws {
        let largest = try Money.parse("99999999999999.99", currency: rub).get()
        let at = Timestamp(millis: 1_790_000_000_000)
        let revenue = RevenueReport(
            scope: ReportScope(pipeline: PipelineKey("sales"), from: Timestamp(millis: 0), to: at), won: Array(repeating: (at, largest), count: 10))
        #expect(revenue.rows.first?.revenue?.decimalText == "999999999999999.90")
    }

    @Test func timestampArithmeticNeverTraps() {
        #expect(Timestamp(millis: .max).adding(millis: 1).millis == .max)
        #expect(Timestamp(millis: .min).adding(millis: -1).millis == .min)
        #expect(Timestamp(millis: 0).adding(days: .max).millis == .max)
        #expect(Timestamp.millis(days: .max) == nil)
        #expect(Timestamp(checkedSeconds: Int64.max) == nil)
        #expect(Timestamp(checkedSeconds: Int64.min) == nil)
        #expect(Timestamp(checkedSeconds: Int64(253_402_300_800)) == nil)
        #expect(Timestamp(checkedSeconds: Int64(1_700_000_000))?.millis == 1_700_000_000_000)
        #expect(Timestamp(checkedSeconds: Double.infinity) == nil)
        #expect(Timestamp(checkedSeconds: Double.nan) == nil)
        #expect(Timestamp(checkedSeconds: 1e300) == nil)
    }

    @Test func anyInt64IsCheckedWithoutATrap() async {
        await propertyCheck(count: 2000, input: Gen.int64(in: .min ... .max), Gen.int64(in: .min ... .max)) { a, b in
            let t = Timestamp(millis: a).adding(millis: b)
            let (exact, overflow) = a.addingReportingOverflow(b)
            #expect(overflow ? (t.millis == .max || t.millis == .min) : t.millis == exact)
            if let checked = Timestamp(checkedSeconds: a) { #expect(Timestamp.accepted.contains(checked)) }
            _ = Timestamp.millis(days: b)
        }
    }

    @Test(arguments: [
        (##"<a href="{{deal.title}}">x</a>"##, "javascript:alert(1)", ##"<a href="#">x</a>"##),
        (##"<a href="{{deal.title}}">x</a>"##, " JaVa\tScRiPt:alert(1)", ##"<a href="#">x</a>"##),
        (##"<a href="{{deal.title}}">x</a>"##, "https://example.com/?a=1&b=2", ##"<a href="https://example.com/?a=1&amp;b=2">x</a>"##),
        (##"<a href="https://shop/{{deal.title}}">x</a>"##, "javascript:x", ##"<a href="https://shop/javascript:x">x</a>"##),
        (##"<img src='{{deal.title}}'>"##, "data:text/html,<script>", ##"<img src='#'>"##),
        (##"<a href={{deal.title}}>x</a>"##, "x onmouseover=alert(1)", "<a href=x&#32;onmouseover&#61;alert&#40;1&#41;>x</a>"),
        (##"<p onclick="{{deal.title}}">x</p>"##, "alert(1)", ##"<p onclick="">x</p>"##),
        (##"<p title="{{deal.title}}">x</p>"##, ##""><script>"##, ##"<p title="&quot;&gt;&lt;script&gt;">x</p>"##),
        (##"<p>{{deal.title}}</p>"##, "<b>&</b>", "<p>&lt;b&gt;&amp;&lt;/b&gt;</p>"),
        (##"<a href="{{deal.title}}">x</a>"##, "mailto:a@b.c", ##"<a href="mailto:a@b.c">x</a>"##),
        (##"<a href="{{deal.title}}">x</a>"##, "/deals/5?x=a:b", ##"<a href="/deals/5?x=a:b">x</a>"##),
    ])
    func documentValuesAreEscapedForWhereTheyStand(template: String, title: String, expected: String) {
        let deal = Deal(
            id: DealID(1), lineage: LineageID("l1"), pipeline: PipelineKey("sales"), stage: StageKey("new"), status: .open, title: title,
            createdAt: Timestamp(millis: 0), updatedAt: Timestamp(millis: 0), stageEnteredAt: Timestamp(millis: 0))
        let rendered = TaskTemplate.render(template, DealSnapshot(deal: deal), catalog: FieldCatalog(), html: true)
        #expect(rendered == expected)
    }

    @Test func anyTextInAnyAttributeStaysInsideIt() async {
        let tokens = ["\"", "'", " ", "\t", ">", "<", "=", ":", "javascript", "JavaScript", "&", "a", "7", "я", "/", "#", "\u{0}", "\u{7F}"]
        let text = Gen<String?>.element(of: tokens).array(of: 0...12).map { $0.compactMap { $0 }.joined() }
        await propertyCheck(count: 500, input: text) { value in
            for kind in [HTMLContext.text, .attribute(.plain, quoted: true), .attribute(.urlStart, quoted: true), .attribute(.plain, quoted: false)] {
                let escaped = TaskTemplate.escape(value, in: kind)
                #expect(!escaped.contains("\"") && !escaped.contains("<") && !escaped.contains(">"))
                if case .attribute(_, quoted: false) = kind { #expect(!escaped.contains(" ")) }
            }
            let url = TaskTemplate.escape(value, in: .attribute(.urlStart, quoted: true))
            #expect(!url.lowercased().replacingOccurrences(of: " ", with: "").hasPrefix("javascript:"))
        }
    }
}
