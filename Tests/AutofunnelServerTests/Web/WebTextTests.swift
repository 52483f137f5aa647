import Testing

@testable import AutofunnelServer

/// Every page's labels come from one table: a key defined twice traps the first page rendered, so it is caught here,
/// by name, before any page is.
@Suite("Page text")
struct WebTextTests {
    @Test func eachKeyIsDefinedOnceWithBothLanguages() {
        let keys = WebText.table.map(\.0)
        let repeated = Dictionary(grouping: keys, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        #expect(repeated.isEmpty, "defined more than once: \(repeated)")
        let blank = WebText.table.filter { $0.1.isEmpty || $0.2.isEmpty }.map(\.0)
        #expect(blank.isEmpty, "without Russian or English: \(blank)")
    }
}
