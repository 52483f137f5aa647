import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// The contacts and companies pages: search, filters, order and pages; the card; create, edit and delete by role.
@Suite("Contacts and companies pages")
struct PartyPagesTests {
    let api = Actor(kind: .api)

    /// The names a list shows, in its order.
    static func names(_ html: String) -> [String] {
        html.components(separatedBy: #"<a class="party-name" href=""#).dropFirst().compactMap { part in
            part.split(separator: ">", maxSplits: 1).last.flatMap { $0.split(separator: "<").first }.map(String.init)
        }
    }

    /// The UTC day of a time, as a date input sends it.
    static func day(_ t: Timestamp) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withFullDate]
        return f.string(from: Date(timeIntervalSince1970: Double(t.millis) / 1000))
    }

    @Test(arguments: StoreTarget.available)
    func theListFindsByNamePhoneAndEmailAndFilters(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let me = try await t.user("lead@example.com", role: .headOfSales, password: WebSession.password)
            let anna = try await t.services.parties.createContact(
                .init(name: "Анна Иванова", phones: ["+7 912 345-67-89"], emails: ["Anna@Example.com"], fields: ["segment": .string("retail")]))
            let boris = try await t.services.parties.createContact(.init(name: "Борис", phones: ["+7 900 111-22-33"]))
            t.clock.advance(millis: 3 * 86_400_000)
            let vera = try await t.services.parties.createContact(.init(name: "Вера", emails: ["vera@example.org"]))
            var input = t.completeInput(contact: anna)
            input.responsible = t.manager.id
            _ = try await t.services.deals.create(pipeline: "sales", stage: nil, input: input, actor: api)
            let closed = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: "Стол", contact: boris.id), actor: api)
            _ = try await t.services.deals.close(closed.id, won: false, reason: "spam", comment: nil, actor: api)
            try await t.withAPI(anonymous: true) { client in
                let web = try await WebSession.signIn(client, email: me.email)
                func listed(_ query: String) async throws -> [String] {
                    let page = try await web.get("/contacts" + query)
                    #expect(page.status == 200, "\(query): \(page.text)")
                    return Self.names(page.text)
                }
                #expect(try await listed("") == ["Анна Иванова", "Борис", "Вера"])
                // A phone typed another way (national 8 prefix, no punctuation), lower-case Cyrillic, an e-mail's part.
                #expect(try await listed("?q=89123456789") == ["Анна Иванова"])
                #expect(try await listed("?q=" + WebSession.encode("(900) 111")) == ["Борис"])
                #expect(try await listed("?q=" + WebSession.encode("иванова")) == ["Анна Иванова"])
                #expect(try await listed("?q=EXAMPLE.ORG") == ["Вера"])
                #expect(try await listed("?open=yes") == ["Анна Иванова"])
                #expect(try await listed("?open=no") == ["Борис", "Вера"])
                #expect(try await listed("?responsible=\(t.manager.id)") == ["Анна Иванова"])
                #expect(try await listed("?segment=retail") == ["Анна Иванова"])
                #expect(try await listed("?from=\(Self.day(vera.createdAt))") == ["Вера"])
                #expect(try await listed("?to=\(Self.day(boris.createdAt))") == ["Анна Иванова", "Борис"])
                #expect(try await listed("?sort=created&desc=1") == ["Вера", "Борис", "Анна Иванова"])
                #expect(try await web.get("/contacts?from=yesterday").status == 400)
                #expect(try await web.get("/contacts?page=0").status == 400)
                // Phones and e-mails are links.
                let all = try await web.get("/contacts").text
                #expect(all.contains(#"<a href="tel:+79123456789">+79123456789</a>"#) && all.contains(#"<a href="mailto:anna@example.com">"#))
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func theListPagesBy50(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            for i in 0..<53 { _ = try await t.services.parties.createCompany(name: String(format: "ООО %03d", i), fields: nil) }
            try await t.withAPI(anonymous: true) { client in
                let me = try await t.user("obs@example.com", role: .observer, password: WebSession.password)
                let web = try await WebSession.signIn(client, email: me.email)
                let first = try await web.get("/companies?q=" + WebSession.encode("ооо"))
                #expect(Self.names(first.text).count == 50 && first.text.contains("53"))
                #expect(first.text.contains(#"id="page-next" href="/companies?q=%D0%BE%D0%BE%D0%BE&amp;page=2""#), "\(first.text)")
                let second = try await web.get("/companies?q=%D0%BE%D0%BE%D0%BE&page=2")
                #expect(Self.names(second.text) == ["ООО 050", "ООО 051", "ООО 052"])
                #expect(second.text.contains(#"id="page-previous""#) && !second.text.contains(#"id="page-next""#))
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func theCardShowsDealsTasksNotesAndTimelineByAccess(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let company = try await t.services.parties.createCompany(name: "ООО Мебель", fields: nil)
            let contact = try await t.services.parties.createContact(
                .init(name: "Анна", phones: ["+79123456789"], emails: ["anna@example.com"], company: company.id.rawValue))
            var input = t.completeInput(contact: contact)
            input.company = company.id
            let open = try await t.services.deals.create(pipeline: "sales", stage: nil, input: input, actor: api)
            _ = try await t.services.deals.move(open.id, to: "processing_request", actor: api)
            input.title = "Стол"
            let lost = try await t.services.deals.create(pipeline: "sales", stage: nil, input: input, actor: api)
            _ = try await t.services.deals.close(lost.id, won: false, reason: "spam", comment: nil, actor: api)
            _ = try await t.services.deals.createTask(
                deal: open.id, title: "Позвонить Анне", text: nil, dueAt: t.clock.now(), assignee: t.manager.id, principal: nil)
            _ = try await t.services.deals.addNote(deal: open.id, text: "Хочет белый", actor: api, principal: nil)
            let observer = try await t.user("obs@example.com", role: .observer, password: WebSession.password)
            let admin = try await t.user("boss@example.com", role: .admin, password: WebSession.password)
            try await t.withAPI(anonymous: true) { client in
                let web = try await WebSession.signIn(client, email: admin.email)
                let card = try await web.get("/contacts/\(contact.id)").text
                #expect(card.contains(#"<a class="party-phone" href="tel:+79123456789">"#))
                #expect(card.contains(#"<a class="party-email" href="mailto:anna@example.com">"#))
                #expect(card.contains(#"<a id="party-company" href="/companies/\#(company.id)">ООО Мебель</a>"#))
                let openList = try #require(card.components(separatedBy: #"id="open-deals""#).last?.components(separatedBy: "</ul>").first)
                #expect(openList.contains(#"<a href="/deals/\#(open.id)">Шкаф-купе</a>"#) && openList.contains("Обработка запроса"))
                let closedList = try #require(card.components(separatedBy: #"id="closed-deals""#).last?.components(separatedBy: "</ul>").first)
                #expect(closedList.contains(#"<a href="/deals/\#(lost.id)">Стол</a>"#) && closedList.contains("Спам"))
                #expect(card.contains("Позвонить Анне") && card.contains("Хочет белый"))
                let timeline = try #require(card.components(separatedBy: #"id="timeline""#).last?.components(separatedBy: "</ol>").first)
                #expect(timeline.contains("Смена этапа") && timeline.contains("Обработка запроса"))
                #expect(card.contains(#"id="party-delete""#) && card.contains(#"id="party-save""#))
                let companyCard = try await web.get("/companies/\(company.id)").text
                #expect(companyCard.contains(#"<a href="/contacts/\#(contact.id)">Анна</a>"#) && companyCard.contains("Шкаф-купе"))

                // An observer sees the card without phones, e-mails, forms to change or delete.
                let watcher = try await WebSession.signIn(client, email: observer.email)
                let seen = try await watcher.get("/contacts/\(contact.id)").text
                #expect(seen.contains("Анна") && !seen.contains("+79123456789") && !seen.contains("anna@example.com"))
                #expect(!seen.contains(#"id="party-delete""#) && !seen.contains(#"id="party-save""#) && seen.contains("readonly"))
                let list = try await watcher.get("/contacts").text
                #expect(!list.contains("+79123456789") && !list.contains(#"id="party-new""#))
                #expect(try await watcher.get("/contacts/999999").status == 404)
            }
        }
    }

    /// Create, edit and delete by role: writers create and edit, admins and heads of sales delete, readers do neither;
    /// a form without the session's token is refused.
    @Test(arguments: [Role.admin, .headOfSales, .manager, .marketer, .observer])
    func createEditAndDeleteFollowTheRole(role: Role) async throws {
        try await TestServices.with { t in
            let me = try await t.user("someone@example.com", role: role, password: WebSession.password)
            let company = try await t.services.parties.createCompany(name: "ООО Мебель", fields: nil)
            let existing = try await t.contact(name: "Старый контакт")
            try await t.withAPI(anonymous: true) { client in
                let web = try await WebSession.signIn(client, email: me.email)
                for page in ["/contacts", "/contacts/\(existing.id)", "/companies", "/companies/\(company.id)"] {
                    #expect(try await web.get(page).status == 200, "\(role) GET \(page)")
                }
                let forged = try await web.post("/contacts", ["name": "Подделка"], csrf: "0123")
                #expect(forged.status == 403)
                let created = try await web.post(
                    "/contacts",
                    ["name": "Новый", "phones": "8 (912) 000-11-22, +7 900 000 00 00", "emails": "new@example.com", "company": "ООО Мебель"],
                    from: "/contacts")
                let edited = try await web.post("/contacts/\(existing.id)/edit", ["name": "Переименован", "company": ""], from: "/contacts")
                let newCompany = try await web.post("/companies", ["name": "ООО Ромашка"], from: "/companies")
                let companyEdited = try await web.post("/companies/\(company.id)/edit", ["name": "ООО Мебель и свет"], from: "/companies")
                #expect(companyEdited.status == (role.writes ? 303 : 403))
                let deleted = try await web.post("/companies/\(company.id)/delete", [:], from: "/companies")
                let contactDeleted = try await web.post("/contacts/\(existing.id)/delete", [:], from: "/contacts")
                let stored = try await t.services.store.read { s in try await s.contactList(PartyListQuery(text: "Новый")).items }
                if role.writes {
                    #expect(created.status == 303 && edited.status == 303 && newCompany.status == 303, "\(created.text)")
                    #expect(stored.first?.phones == ["89120001122", "+79000000000"] && stored.first?.company == company.id)
                    #expect(try await t.services.store.read { s in try await s.linkedContact(existing.id) }.name == "Переименован")
                } else {
                    #expect(created.status == 403 && edited.status == 403 && newCompany.status == 403)
                    #expect(created.text.contains(#"id="party-errors""#) && stored.isEmpty)
                }
                if role == .admin || role == .headOfSales {
                    #expect(deleted.status == 303 && contactDeleted.status == 303)
                } else {
                    #expect(deleted.status == 403 && deleted.text.contains(#"id="party-errors""#) && contactDeleted.status == 403)
                    _ = try await t.services.store.read { s in (try await s.company(company.id), try await s.contact(existing.id)) }
                }
            }
        }
    }

    @Test func refusalsShowOnThePageAndNothingChanges() async throws {
        try await TestServices.with { t in
            let me = try await t.user("someone@example.com", role: .manager, password: WebSession.password)
            let contact = try await t.contact(name: "Анна")
            try await t.withAPI(anonymous: true) { client in
                let web = try await WebSession.signIn(client, email: me.email)
                let badPhone = try await web.post("/contacts/\(contact.id)/edit", ["name": "Анна", "phones": "позвоните"], from: "/contacts")
                #expect(badPhone.status == 422 && badPhone.text.contains("не телефон"), "\(badPhone.text)")
                let noCompany = try await web.post("/contacts", ["name": "Борис", "company": "ООО Нет"], from: "/contacts")
                #expect(noCompany.status == 422 && noCompany.text.contains("Нет компании «ООО Нет»"))
                let noName = try await web.post("/companies", ["name": "  "], from: "/companies")
                #expect(noName.status == 422)
            }
            #expect(try await t.services.store.read { s in try await s.contact(contact.id) }.phones == ["+79123456789"])
        }
    }

    @Test func userTextIsShownAsTextOnTheListAndTheCard() async throws {
        try await TestServices.with { t in
            let payloads = WebPageTests.payloads
            let company = try await t.services.parties.createCompany(name: payloads.joined(separator: " "), fields: nil)
            let contact = try await t.services.parties.createContact(
                .init(name: payloads.joined(separator: " "), emails: [#"x"onmouseover=alert(1)@example.com"#], company: company.id.rawValue))
            let deal = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: payloads[0], contact: contact.id, company: company.id), actor: api)
            _ = try await t.services.deals.addNote(deal: deal.id, text: payloads[1], actor: api, principal: nil)
            let me = try await t.user("lead@example.com", role: .headOfSales, password: WebSession.password)
            try await t.withAPI(anonymous: true) { client in
                let web = try await WebSession.signIn(client, email: me.email)
                for page in [
                    "/contacts", "/contacts/\(contact.id)", "/companies", "/companies/\(company.id)", "/contacts?q=" + WebSession.encode(payloads[0]),
                ] {
                    let text = try await web.get(page).text
                    #expect(!text.contains("<script>alert") && !text.contains("<img src=x"), "\(page) shows markup from user text")
                    #expect(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(page) lost the escaped text")
                    #expect(!text.contains(">49<") && !text.contains(#""onmouseover"#), "\(page) rendered user text as markup")
                }
            }
        }
    }
}

/// Point 3 of issue 19, on create: a contact with a phone or e-mail another live contact has is answered with that
/// contact (API 409 with its id; the page offers to open it or create anyway), unless the caller insists.
@Suite("Duplicate contacts on create")
struct DuplicateContactTests {
    @Test(arguments: StoreTarget.available)
    func theAPIAnswers409WithTheExistingIdUnlessAllowDuplicate(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let anna = try await t.services.parties.createContact(.init(name: "Анна", phones: ["+7 912 345-67-89"], emails: ["anna@example.com"]))
            try await t.withAPI { api in
                // The phone typed another way (national prefix), and the e-mail in capitals.
                for body in [["name": "Анна П.", "phones": ["8 (912) 345 67 89"]], ["name": "Анна П.", "emails": ["ANNA@example.com"]]] {
                    let refused = try await api.request(.post, "/api/v1/contacts", json: body)
                    #expect(refused.status == 409 && refused.contentType == "application/problem+json", "\(refused.text)")
                    #expect(refused.object["existingId"] as? Int == Int(anna.id.rawValue), "\(refused.text)")
                    #expect((refused.object["type"] as? String)?.hasSuffix(":duplicate") == true)
                }
                var insisted: [String: any Sendable] = ["name": "Анна П.", "phones": ["8 (912) 345 67 89"]]
                insisted["allowDuplicate"] = true
                #expect(try await api.request(.post, "/api/v1/contacts", json: insisted).status == 201)
                #expect(try await api.request(.post, "/api/v1/contacts", json: ["name": "Борис", "phones": ["+7 900 000-00-01"]]).status == 201)
            }
            // A deleted contact is no duplicate.
            try await t.services.parties.delete(.contacts, id: anna.id.rawValue)
            _ = try await t.services.parties.createContact(.init(name: "Анна", emails: ["anna@example.com"]), refusingDuplicate: true)
        }
    }

    @Test func thePageOffersToOpenTheExistingContactOrCreateAnyway() async throws {
        try await TestServices.with { t in
            let anna = try await t.services.parties.createContact(.init(name: "Анна <b>", phones: ["+7 912 345-67-89"]))
            let me = try await t.user("someone@example.com", role: .manager, password: WebSession.password)
            try await t.withAPI(anonymous: true) { client in
                let web = try await WebSession.signIn(client, email: me.email)
                let form = ["name": "Анна \"П\"", "phones": "89123456789", "emails": "anna@example.com"]
                let offered = try await web.post("/contacts", form, from: "/contacts")
                #expect(offered.status == 409, "\(offered.text)")
                #expect(offered.text.contains(#"<a id="duplicate-open" href="/contacts/\#(anna.id)">Анна &lt;b&gt;</a>"#), "\(offered.text)")
                #expect(offered.text.contains(#"<input type="hidden" name="name" value="Анна &quot;П&quot;">"#))
                #expect(try await t.services.store.read { s in try await s.contactList(PartyListQuery()).total } == 1)
                var anyway = form
                anyway["allowDuplicate"] = "1"
                let created = try await web.post("/contacts", anyway, from: "/contacts")
                #expect(created.status == 303 && created.headers[.location] != "/contacts/\(anna.id)")
                #expect(try await t.services.store.read { s in try await s.contactList(PartyListQuery()).total } == 2)
            }
        }
    }
}
