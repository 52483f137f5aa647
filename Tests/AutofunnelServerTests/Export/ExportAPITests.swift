import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import OpenAPIRuntime
import Testing

@testable import AutofunnelServer

/// The lists as CSV files: `Accept: text/csv` (or `format=csv`, for links) answers every page, as the reader may see
/// it, streamed.
@Suite("Export through the API")
struct ExportAPITests {
    static let csv = ["Accept": "text/csv"]

    /// Two deals (the manager's and the head's), a field hidden from managers and observers, a contact with a phone and
    /// an e-mail.
    static func world(_ t: TestServices) async throws -> (own: Deal, other: Deal) {
        try await t.services.store.write { s in
            try await s.saveField(
                FieldDefinition(
                    entity: .deal, key: "margin", type: .text, name: .init(ru: "Маржа", en: "Margin"),
                    access: [.manager: .hidden, .observer: .hidden]),
                declaredBy: nil, at: Fixtures.t0)
        }
        _ = try await t.services.auth.setGrants(t.manager.id, ["sales": .own], by: nil)
        let contact = try await t.services.parties.createContact(.init(name: "Анна", phones: ["+7 916 123-45-67"], emails: ["anna@example.com"]))
        var mine = t.completeInput(contact: contact)
        mine.fields?["margin"] = .string("СЕКРЕТ-35")
        var theirs = mine
        theirs.responsible = t.head.id
        theirs.title = "Чужая сделка"
        let own = try await t.services.deals.create(pipeline: "sales", stage: nil, input: mine, actor: Actor(kind: .import))
        let other = try await t.services.deals.create(pipeline: "sales", stage: nil, input: theirs, actor: Actor(kind: .import))
        return (own, other)
    }

    @Test func aManagersExportHoldsOnlyTheirDealsAndNoHiddenField() async throws {
        try await TestServices.with { t in
            let (own, other) = try await Self.world(t)
            let managers = try await t.withAPI(as: t.manager) { api in try await api.request(.get, "/api/v1/deals", headers: Self.csv) }
            #expect(managers.status == 200, "\(managers.text)")
            #expect(managers.contentType == "text/csv; charset=utf-8")
            #expect(managers.headers[.contentDisposition] == "attachment; filename=\"deals.csv\"")
            let (header, rows) = try CSVRows.records(managers.text)
            #expect(rows.map { $0["id"] } == [own.id.description])
            #expect(!header.contains("field:margin") && !managers.text.contains("СЕКРЕТ"))
            #expect(Array(header.prefix(ExportService.dealColumns.count)) == ExportService.dealColumns)
            // The admin's export of the same list has both deals and the field, so the manager's misses something real.
            let admins = try await t.withAPI { api in try await api.request(.get, "/api/v1/deals", headers: Self.csv) }
            let (adminHeader, adminRows) = try CSVRows.records(admins.text)
            #expect(Set(adminRows.compactMap { $0["id"] }) == [own.id.description, other.id.description])
            #expect(adminHeader.contains("field:margin") && adminRows.allSatisfy { $0["field:margin"] == "СЕКРЕТ-35" })
            // The JSON list of the same reader is the same set.
            let json = try await t.withAPI(as: t.manager) { api in try await api.request(.get, "/api/v1/deals") }
            #expect((json.object["items"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [Int(own.id.rawValue)])
        }
    }

    @Test func anObserverWithoutContactDetailsGetsNoPhonesOrEmails() async throws {
        try await TestServices.with { t in
            _ = try await Self.world(t)
            let observer = try await t.user("olga@example.com", role: .observer)
            _ = try await t.services.auth.setGrants(observer.id, ["sales": .readAll], by: nil)
            try await t.withAPI(as: observer, scope: .read) { api in
                let contacts = try CSVRows.records(try await api.request(.get, "/api/v1/contacts", headers: Self.csv).text).rows
                #expect(contacts.count == 1 && contacts[0]["name"] == "Анна")
                #expect(contacts[0]["phones"] == "" && contacts[0]["emails"] == "")
                let deals = try await api.request(.get, "/api/v1/deals", headers: Self.csv)
                let rows = try CSVRows.records(deals.text).rows
                #expect(
                    rows.count == 2 && rows.allSatisfy { $0["contact_name"] == "Анна" && $0["contact_phones"] == "" && $0["contact_emails"] == "" })
                #expect(!deals.text.contains("79161234567") && !deals.text.contains("anna@") && !deals.text.contains("СЕКРЕТ"))
            }
            let admins = try await t.withAPI { api in try await api.request(.get, "/api/v1/contacts", headers: Self.csv) }
            let row = try #require(try CSVRows.records(admins.text).rows.first)
            #expect(row["phones"] == "'+79161234567" && row["emails"] == "anna@example.com")
            #expect(admins.headers[.contentDisposition] == "attachment; filename=\"contacts.csv\"")
        }
    }

    @Test func formatCSVServesALinkAndJSONStaysTheDefault() async throws {
        try await TestServices.with { t in
            _ = try await Self.world(t)
            _ = try await t.services.parties.createCompany(name: "ООО Ромашка", fields: nil)
            try await t.withAPI { api in
                let browser = ["Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"]
                let link = try await api.request(.get, "/api/v1/deals?pipeline=sales&format=csv", headers: browser)
                #expect(link.status == 200 && link.contentType == "text/csv; charset=utf-8")
                #expect(try CSVRows.records(link.text).rows.count == 2)
                let plain = try await api.request(.get, "/api/v1/deals", headers: browser)
                #expect(plain.contentType?.hasPrefix("application/json") == true && plain.headers[.contentDisposition] == nil)
                let json = try await api.request(.get, "/api/v1/deals?format=csv", headers: ["Accept": "application/json"])
                #expect(json.contentType?.hasPrefix("application/json") == true)
                let companies = try await api.request(.get, "/api/v1/companies?format=csv")
                #expect(companies.headers[.contentDisposition] == "attachment; filename=\"companies.csv\"")
                #expect(try CSVRows.records(companies.text).rows.map { $0["name"] } == ["ООО Ромашка"])
                // A bad page parameter is refused the same way with either answer.
                #expect(try await api.request(.get, "/api/v1/deals?limit=0", headers: Self.csv).status == 400)
            }
        }
    }

    @Test func theBoardLinksToTheExport() async throws {
        try await TestServices.with { t in
            let me = try await t.user("lead@example.com", role: .headOfSales, password: WebSession.password)
            try await t.withAPI(anonymous: true) { api in
                let web = try await WebSession.signIn(api, email: me.email)
                let board = try await web.get("/board/sales")
                #expect(board.text.contains(#"href="/api/v1/deals?pipeline=sales&amp;format=csv""#))
                #expect(board.text.contains("Выгрузить CSV") || board.text.contains("Export CSV"))
                // The link works with the session cookie alone, as a browser follows it.
                let file = try await web.get("/api/v1/deals?pipeline=sales&format=csv")
                #expect(file.status == 200 && file.contentType == "text/csv; charset=utf-8")
            }
        }
    }

    @Test func thousandsOfDealsAreEveryRowAndStreamedInChunks() async throws {
        try await TestServices.with { t in
            let count = 2_500
            _ = try await t.services.store.write { s in
                try await s.bulkInsertDeals(
                    (1...count).map { i in
                        var deal = Fixtures.deal(id: Int64(i))
                        deal.title = "Сделка \(i)"
                        return deal
                    })
            }
            let rows = try await t.withAPI { api in
                try CSVRows.records(try await api.request(.get, "/api/v1/deals?pipeline=sales", headers: Self.csv).text).rows
            }
            #expect(rows.count == count)
            #expect(Set(rows.compactMap { $0["title"] }).count == count)
            // The handler's body is a sequence read while it is sent: the header, then one chunk per page of the store.
            let admin = try #require(await t.services.auth.principal(t.admin.id, scope: .admin, credential: .token))
            let output = try await Caller.$current.withValue(Caller(principal: admin, sessionHash: nil, ip: "127.0.0.1")) {
                try await APIHandler(services: t.services).listDeals(
                    .init(query: .init(pipeline: "sales"), headers: .init(accept: [.init(contentType: .csv)])))
            }
            let body = try output.ok.body.csv
            #expect(body.length == .unknown)
            var chunks = 0
            var bytes = 0
            for try await chunk in body {
                chunks += 1
                bytes += chunk.count
            }
            #expect(chunks == 1 + (count + ExportService.defaultPageSize - 1) / ExportService.defaultPageSize)
            #expect(bytes > count * 40)
        }
    }
}
