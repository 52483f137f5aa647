import AutofunnelCore
import AutofunnelTestSupport
import Testing

@Suite("Pipeline definitions")
struct PipelineDefinitionTests {
    @Test func aValidDefinitionRoundTrips() throws {
        let definition = Fixtures.salesDefinition()
        let pipeline = try definition.validated(knownFields: FieldCatalog()).get()
        #expect(pipeline.openStages.map(\.key) == ["new_lead", "processing_request", "proposal_made", "answer_received", "invoice_sent"])
        #expect(pipeline.wonStage.key == "order_received")
        #expect(pipeline.lostStages.map(\.key) == ["spam", "too_expensive"])
        var expected = definition
        expected.policy = .init(user: .all, automation: .all, api: .all, import: .all)
        #expect(pipeline.definition == expected)
        #expect(try pipeline.definition.validated(knownFields: FieldCatalog()).get() == pipeline)
    }

    @Test func closingStagesAreChecked() {
        var d = Fixtures.salesDefinition()
        d.stages.removeAll { $0.outcome != nil }
        guard case .failure(let r) = d.validated(knownFields: FieldCatalog()) else {
            Issue.record("accepted a pipeline without closing stages")
            return
        }
        #expect(r.violations.map(\.message.en).contains("Exactly one won stage is needed (found 0)"))
        #expect(r.violations.map(\.message.en).contains("At least one lost stage (a loss reason) is needed"))
    }

    @Test func badReferencesAndValuesAreNamedByPath() {
        var d = Fixtures.salesDefinition()
        d.stages[0].requiredToLeave = ["contact", "no_such_field", "contact.Phone!"]
        d.stages[1].maxTimeInStage = "3 days"
        d.stages[2].probability = 140
        d.stages.append(.init(key: "new_lead", name: .init(ru: "Дубль", en: "Duplicate"), kind: .process))
        guard case .failure(let r) = d.validated(knownFields: FieldCatalog()) else {
            Issue.record("accepted a bad definition")
            return
        }
        #expect(
            Set(r.violations.compactMap(\.field)) == [
                "stages[0].requiredToLeave[1]", "stages[0].requiredToLeave[2]", "stages[1].maxTimeInStage", "stages[2].probability", "stages",
            ])
    }
}
