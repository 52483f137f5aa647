import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// The duplicates page and the merge page: who sees what, a merge from the form, user text escaped.
@Suite("Duplicates and merge pages")
struct DuplicatePagesTests {
    let api = Actor(kind: .api)

    @Test(arguments: StoreTarget.available)
    func aHeadOfSalesFindsAPairAndMergesItPickingTheName(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let kept = try await t.services.parties.createContact(.init(name: "Анна", phones: ["+7 912 345-67-89"]))
            let merged = try await t.services.parties.createContact(.init(name: "Анна Петровна", phones: ["8 912 345 67 89"]))
            let deal = try await t.services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: "Новая", contact: merged.id), actor: api)
            let me = try await t.user("lead@example.com", role: .headOfSales, password: WebSession.password)
            try await t.withAPI(anonymous: true) { client in
                let web = try await WebSession.signIn(client, email: me.email)
                let list = try await web.get("/duplicates")
                #expect(list.status == 200)
                let link = "/contacts/\(kept.id)/merge?from=\(merged.id)"
                #expect(list.text.contains(#"data-first="\#(kept.id)" data-second="\#(merged.id)""#), "\(list.text)")
                #expect(list.text.contains(#"<a class="duplicate-merge" href="\#(link)">"#))
                #expect(try await web.get("/contacts").text.contains(#"href="/duplicates""#), "the list links to the duplicates")
                let page = try await web.get(link)
                #expect(page.status == 200 && page.text.contains(#"id="pick-name-merged""#), "\(page.text)")
                let done = try await web.post(
                    "/contacts/\(kept.id)/merge", ["from": merged.id.description, "pick.name": "merged", "pick.phones": "kept"], from: link)
                #expect(done.status == 303 && done.headers[.location] == "/contacts/\(kept.id)", "\(done.text)")
                let old = try await web.get("/contacts/\(merged.id)")
                #expect(old.status == 303 && old.headers[.location] == "/contacts/\(kept.id)", "the old number opens the kept contact")
                #expect(try await web.get("/duplicates").text.contains("duplicates-none"))
            }
            try await t.services.store.read { s in
                #expect(try await s.deal(deal.id).contact == kept.id)
                let contact = try await s.contact(kept.id)
                #expect(contact.name == "Анна Петровна" && contact.phones == ["+79123456789"])
            }
        }
    }

    @Test func aManagerSeesThePairsButNoMergeAndCannotPostOne() async throws {
        try await TestServices.with { t in
            let a = try await t.services.parties.createContact(.init(name: "Анна", emails: ["anna@example.com"]))
            let b = try await t.services.parties.createContact(.init(name: "Анна", emails: ["ANNA@example.com"]))
            let firm = try await t.services.parties.createCompany(name: "Ромашка", fields: nil)
            _ = try await t.services.parties.createCompany(name: "РОМАШКА", fields: nil)
            let me = try await t.user("someone@example.com", role: .manager, password: WebSession.password)
            try await t.withAPI(anonymous: true) { client in
                let web = try await WebSession.signIn(client, email: me.email)
                let list = try await web.get("/duplicates")
                #expect(list.text.contains(#"data-first="\#(a.id)""#) && !list.text.contains("duplicate-merge"))
                #expect(try await web.get("/duplicates?kind=companies").text.contains(#"data-first="\#(firm.id)""#))
                let refused = try await web.post("/contacts/\(a.id)/merge", ["from": b.id.description], from: "/duplicates")
                #expect(refused.status == 403)
            }
            #expect(try await t.services.store.read { s in try await s.contact(b.id) }.name == "Анна", "nothing merged")
        }
    }

    @Test func theMergeAndDuplicatesPagesEscapeUserText() async throws {
        try await TestServices.with { t in
            let payloads = WebPageTests.payloads
            let a = try await t.services.parties.createContact(.init(name: payloads.joined(separator: " "), phones: ["+7 912 345-67-89"]))
            let b = try await t.services.parties.createContact(
                .init(name: payloads.reversed().joined(separator: " "), phones: ["89123456789"], emails: [#"x"onmouseover=alert(1)@example.com"#]))
            let me = try await t.user("lead@example.com", role: .headOfSales, password: WebSession.password)
            try await t.withAPI(anonymous: true) { client in
                let web = try await WebSession.signIn(client, email: me.email)
                for page in ["/duplicates", "/contacts/\(a.id)/merge?from=\(b.id)"] {
                    let text = try await web.get(page).text
                    #expect(!text.contains("<script>alert") && !text.contains("<img src=x"), "\(page) shows markup from user text")
                    #expect(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(page) lost the escaped text")
                    #expect(!text.contains(">49<") && !text.contains(#""onmouseover"#), "\(page) rendered user text as markup")
                }
            }
        }
    }

    @Test func aCompanyWithATaxIDTakenIsOfferedOnThePage() async throws {
        try await TestServices.with { t in
            let me = try await t.user("lead@example.com", role: .headOfSales, password: WebSession.password)
            try await t.withAPI { api in
                _ = try await api.request(
                    .post, "/api/v1/fields", json: ["entity": "company", "key": "inn", "type": "text", "name": ["ru": "ИНН", "en": "Tax id"]])
            }
            let first = try await t.services.parties.createCompany(name: "Ромашка", fields: ["inn": .string("7707083893")])
            try await t.withAPI(anonymous: true) { client in
                let web = try await WebSession.signIn(client, email: me.email)
                let form = ["name": "Ромашка 2", "f.inn": "7707083893"]
                let offered = try await web.post("/companies", form, from: "/companies")
                #expect(offered.status == 409 && offered.text.contains(#"href="/companies/\#(first.id)""#), "\(offered.text)")
                var anyway = form
                anyway["allowDuplicate"] = "1"
                #expect(try await web.post("/companies", anyway, from: "/companies").status == 303)
            }
        }
    }
}
