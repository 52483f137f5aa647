import AutofunnelCore
import AutofunnelStore
import AutofunnelTestSupport
import Testing

@testable import AutofunnelEngine

/// What the exports write: the exact headers, every column of a deal, contact, company and stage-log row, formula
/// cells neutralised, and pages read one at a time.
@Suite("Export service")
struct ExportServiceTests {
    struct World {
        let deal: Deal
        let contact: Contact
        let company: Company
    }

    /// A deal with a company, a contact with two phones, a formula for a title, a negative custom number and a
    /// multi-line custom text; moved once by the manager.
    static func world(_ t: TestServices) async throws -> World {
        try await t.services.store.write { s in
            try await s.saveField(
                FieldDefinition(entity: .deal, key: "discount", type: .number, name: .init(ru: "Скидка", en: "Discount")), declaredBy: nil,
                at: Fixtures.t0)
            try await s.saveField(
                FieldDefinition(entity: .company, key: "inn", type: .text, name: .init(ru: "ИНН", en: "INN")), declaredBy: nil, at: Fixtures.t0)
        }
        let company = try await t.services.parties.createCompany(name: "ООО \"Ромашка\", филиал", fields: ["inn": .string("7701234567")])
        let contact = try await t.services.parties.createContact(
            .init(name: "Анна", phones: ["+7 912 345-67-89", "+7 912 000-00-01"], emails: ["anna@example.com"], company: company.id.rawValue))
        var input = t.completeInput(contact: contact)
        input.title = "=HYPERLINK(\"http://evil.example\",\"Открыть\")"
        input.company = company.id
        input.source = "@campaign"
        input.fields?["discount"] = .number(-5)
        input.fields?["requirements"] = .string("2,4 м\nвысота \"3 м\"")
        let created = try await t.services.deals.create(pipeline: "sales", stage: nil, input: input, actor: Actor(kind: .import))
        let moved = try await t.services.deals.move(created.id, to: "processing_request", actor: Actor(kind: .user, userID: t.manager.id))
        return World(deal: moved, contact: try await t.services.store.read { s in try await s.contact(contact.id) }, company: company)
    }

    @Test func theDealsFileStartsWithTheBOMAndTheExactHeaderAndHoldsEveryColumn() async throws {
        try await TestServices.with { t in
            let w = try await Self.world(t)
            let text = try await ExportService(store: t.services.store).deals(DealFilter(), reader: nil).text()
            #expect(
                text.hasPrefix(
                    "\u{FEFF}id,pipeline,stage,status,title,amount,currency,responsible,head_of_sales,contact_id,contact_name,contact_phones,"
                        + "contact_emails,company_id,company_name,source,created_at,stage_entered_at,closed_at,loss_comment,lineage,"
                        + "field:delivery_method,field:discount,field:requirements,field:subject\r\n"))
            let (_, rows) = try CSVRows.records(text)
            try #require(rows.count == 1)
            let row = rows[0]
            #expect(row["id"] == w.deal.id.description)
            #expect(row["pipeline"] == "sales" && row["stage"] == "processing_request" && row["status"] == "open")
            #expect(row["title"] == "'=HYPERLINK(\"http://evil.example\",\"Открыть\")")
            #expect(row["amount"] == "48500.00" && row["currency"] == "RUB")
            #expect(row["responsible"] == "manager@example.com" && row["head_of_sales"] == "head@example.com")
            #expect(row["contact_id"] == w.contact.id.description && row["contact_name"] == "Анна")
            #expect(row["contact_phones"] == "'" + w.contact.phones.joined(separator: "; "))
            #expect(w.contact.phones.count == 2)
            #expect(row["contact_emails"] == "anna@example.com")
            #expect(row["company_id"] == w.company.id.description && row["company_name"] == "ООО \"Ромашка\", филиал")
            #expect(row["source"] == "'@campaign")
            #expect(row["created_at"] == ExportText.moment(w.deal.createdAt) && row["stage_entered_at"] == ExportText.moment(w.deal.stageEnteredAt))
            #expect(row["created_at"]?.hasSuffix("Z") == true && row["closed_at"] == "" && row["loss_comment"] == "")
            #expect(row["lineage"] == w.deal.lineage.rawValue)
            #expect(row["field:discount"] == "-5")
            #expect(row["field:requirements"] == "2,4 м\nвысота \"3 м\"")
            #expect(row["field:delivery_method"] == "delivery" && row["field:subject"] == "Шкаф")
        }
    }

    @Test func contactsCompaniesAndHistoryHaveTheirExactHeaders() async throws {
        try await TestServices.with { t in
            let w = try await Self.world(t)
            let export = ExportService(store: t.services.store)
            let contacts = try await export.contacts(reader: nil).text()
            #expect(contacts.hasPrefix("\u{FEFF}id,name,phones,emails,company_id,company_name,created_at,field:segment\r\n"))
            let contact = try CSVRows.records(contacts).rows
            #expect(contact.count == 1 && contact.first?["company_name"] == w.company.name && contact.first?["emails"] == "anna@example.com")
            let companies = try await export.companies(reader: nil).text()
            #expect(companies.hasPrefix("\u{FEFF}id,name,created_at,field:inn\r\n"))
            #expect(try CSVRows.records(companies).rows.first?["field:inn"] == "7701234567")
            let history = try await export.history(pipeline: nil, reader: nil).text()
            #expect(history.hasPrefix("\u{FEFF}deal_id,pipeline,from_stage,to_stage,at,actor_kind,actor,cause,responsible,amount,currency\r\n"))
            let log = try await t.services.store.read { s in try await s.stageLog(deal: w.deal.id) }
            let rows = try CSVRows.records(history).rows
            #expect(rows.count == log.count && log.count == 2)
            #expect(rows.map { $0["to_stage"] } == log.map(\.to.rawValue))
            #expect(rows.first?["from_stage"] == "" && rows.first?["actor_kind"] == "import" && rows.first?["actor"] == "")
            #expect(rows.last?["from_stage"] == "new_lead" && rows.last?["actor"] == "manager@example.com")
            #expect(rows.last?["at"] == ExportText.moment(log[1].at) && rows.last?["cause"] == log[1].cause)
        }
    }

    @Test func pagesAreReadOneAtATimeAndEveryRowComesOnce() async throws {
        try await TestServices.with { t in
            let contact = try await t.contact()
            for i in 0..<7 {
                var input = t.completeInput(contact: contact)
                input.title = "Сделка \(i)"
                _ = try await t.services.deals.create(pipeline: "sales", stage: nil, input: input, actor: Actor(kind: .import))
            }
            let export = ExportService(store: t.services.store, pageSize: 3)
            var chunks: [String] = []
            for try await chunk in export.deals(DealFilter(), reader: nil) { chunks.append(chunk) }
            // The header, then pages of 3, 3 and 1.
            #expect(chunks.count == 4)
            let rows = try CSVRows.records(chunks.joined()).rows
            #expect(rows.map { $0["title"] ?? "" } == (0..<7).map { "Сделка \($0)" })
            #expect(try CSVRows.parse(chunks[1]).count == 3)
            let other = try await export.deals(DealFilter(pipeline: "nothing_here"), reader: nil).text()
            #expect(try CSVRows.parse(other).count == 1)
        }
    }

    @Test func aManagerExportsOnlyTheirDealsAndNoHiddenField() async throws {
        try await TestServices.with { t in
            try await t.services.store.write { s in
                try await s.saveField(
                    FieldDefinition(entity: .deal, key: "margin", type: .text, name: .init(ru: "Маржа", en: "Margin"), access: [.manager: .hidden]),
                    declaredBy: nil, at: Fixtures.t0)
            }
            _ = try await t.services.auth.setGrants(t.manager.id, ["sales": .own], by: nil)
            let contact = try await t.contact()
            var mine = t.completeInput(contact: contact)
            mine.fields?["margin"] = .string("СЕКРЕТ-35")
            var theirs = mine
            theirs.responsible = t.head.id
            theirs.title = "Чужая"
            let own = try await t.services.deals.create(pipeline: "sales", stage: nil, input: mine, actor: Actor(kind: .import))
            _ = try await t.services.deals.create(pipeline: "sales", stage: nil, input: theirs, actor: Actor(kind: .import))
            let manager = try #require(await t.services.auth.principal(t.manager.id, scope: .read, credential: .token))
            let text = try await ExportService(store: t.services.store).deals(DealFilter(), reader: manager).text()
            let (header, rows) = try CSVRows.records(text)
            #expect(rows.map { $0["id"] } == [own.id.description])
            #expect(!header.contains("field:margin") && !text.contains("СЕКРЕТ"))
            let all = try await ExportService(store: t.services.store).deals(DealFilter(), reader: nil).text()
            #expect(all.contains("field:margin") && all.contains("СЕКРЕТ-35"))
        }
    }
}
