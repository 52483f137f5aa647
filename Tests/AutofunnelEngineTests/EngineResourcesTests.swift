import AutofunnelCore
import Testing

@testable import AutofunnelEngine

/// What the engine ships in its own bundle: the presets and the list of common passwords move with it.
@Suite("Engine resources")
struct EngineResourcesTests {
    @Test func everyPresetShipsWithTheEngineAndParses() throws {
        let names = Presets.names()
        #expect(names.contains("sales-002"))
        #expect(names.contains("nurturing"))
        let catalogue = try Presets.catalogue()
        #expect(catalogue.count == names.count)
        #expect(catalogue.first?.name == "sales-002")
    }

    @Test func theBundledPolicyRefusesACommonPassword() {
        #expect(!PasswordHasher.bundledPolicy.common.isEmpty)
        #expect(PasswordHasher.bundledPolicy.common.contains("password"))
    }
}
