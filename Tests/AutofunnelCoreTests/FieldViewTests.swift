import AutofunnelCore
import AutofunnelTestSupport
import Testing

/// `FieldView`, the one decision on what a reader sees of fields: records, templates, timeline entries and free text.
@Suite("Field view")
struct FieldViewTests {
    static let margin = FieldDefinition(
        entity: .deal, key: "margin", type: .text, name: .init(ru: "Маржа", en: "Margin"), access: [.observer: .hidden, .manager: .readOnly])
    static let catalog = FieldCatalog(Fixtures.salesPipeline().0.declaredFields + [margin])

    static func view(_ role: Role) -> FieldView {
        FieldView(
            Principal(user: User(id: UserID(9), email: "x@example.com", name: "X", locale: .ru, role: role, createdAt: Fixtures.t0)), catalog: catalog
        )
    }

    static var snapshot: DealSnapshot {
        var deal = Fixtures.deal()
        deal.fields = ["margin": .string("СЕКРЕТ-35"), "subject": .string("Шкаф")]
        deal.headOfSales = UserID(2)
        var contact = Fixtures.contact
        contact.emails = ["anna@example.com"]
        deal.contact = contact.id
        return DealSnapshot(deal: deal, contact: contact)
    }

    @Test func theRulesOfRolesAndDefinitionsDecideWhatIsShown() {
        let observer = Self.view(.observer)
        #expect(!observer.shows(.contact, "phones") && !observer.shows(.contact, "emails") && !observer.shows(.deal, "headOfSalesId"))
        #expect(!observer.shows(.deal, "margin") && observer.shows(.deal, "subject") && observer.shows(.deal, "title"))
        #expect(Self.view(.manager).shows(.deal, "margin"), "read-only is still shown")
        #expect(!observer.showsEverything && Self.view(.admin).showsEverything && FieldView.automation(Self.catalog).showsEverything)
        #expect(!observer.shows(FieldReference("contact.phone")!) && observer.shows(FieldReference("contact.name")!))
        let shown = observer.snapshot(Self.snapshot)
        #expect(shown.contact?.phones == [] && shown.contact?.emails == [] && shown.contact?.name == "Анна")
        #expect(shown.deal.fields == ["subject": .string("Шкаф")] && shown.deal.headOfSales == nil)
    }

    @Test func templatesRenderWithTheReadersRightsAndRulesWithEveryValue() {
        let template = "{{contact.name}}: {{contact.phone}} {{contact.email}} {{deal.margin}} {{Сделка: Тема}}"
        #expect(TaskTemplate.render(template, Self.snapshot, as: Self.view(.observer)) == "Анна:    Шкаф")
        #expect(
            TaskTemplate.render(template, Self.snapshot, as: .automation(Self.catalog)) == "Анна: +79123456789 anna@example.com СЕКРЕТ-35 Шкаф")
        #expect(TaskTemplate.render(template, Self.snapshot, as: Self.view(.manager)) == "Анна: +79123456789 anna@example.com СЕКРЕТ-35 Шкаф")
    }

    @Test func timelineEntriesOfHiddenFieldsAreLeftOutAndTextLosesHiddenValues() {
        let observer = Self.view(.observer)
        func entry(_ kind: String, field: String? = nil, old: String? = nil, new: String? = nil, text: String? = nil) -> TimelineEntry {
            TimelineEntry(deal: DealID(1), at: Fixtures.t0, kind: kind, field: field, old: old, new: new, text: text, actor: nil)
        }
        let s = Self.snapshot
        #expect(observer.timeline(entry("field", field: "fields.margin", old: "1", new: "2"), in: s) == nil)
        #expect(observer.timeline(entry("field", field: "headOfSales", old: nil, new: "2"), in: s) == nil)
        #expect(observer.timeline(entry("field", field: "contact.phones", old: "a", new: "b"), in: s) == nil)
        #expect(observer.timeline(entry("field", field: "fields.subject", old: "a", new: "b"), in: s) != nil)
        // A rule's name in `field` is not a field: the entry stays.
        #expect(observer.timeline(entry("task", field: "margin", text: "Позвонить"), in: s)?.text == "Позвонить")
        let message = observer.timeline(entry("message_out", field: "greet", text: "email → old@example.com: Анна, привет"), in: s)
        #expect(message?.text == "email → •••: Анна, привет", "the address of a message is a contact detail")
        let note = observer.timeline(entry("note", text: "Тел. 8 (912) 345-67-89, ANNA@example.com, маржа СЕКРЕТ-35"), in: s)
        #expect(note?.text == "Тел. •••, •••, маржа •••")
        #expect(Self.view(.manager).timeline(entry("note", text: "Тел. +79123456789"), in: s)?.text == "Тел. +79123456789")
        #expect(observer.redact("<b>СЕКРЕТ-35</b> 2026-12-01 10:00", in: s, html: true) == "<b>•••</b> 2026-12-01 10:00")
    }
}
