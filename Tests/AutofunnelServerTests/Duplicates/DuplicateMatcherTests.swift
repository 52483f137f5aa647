import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// Point 3 of issue 19: one duplicate check (`DuplicateMatcher`) for every path that creates a contact or company, the
/// same answers on SQLite and PostgreSQL.
@Suite("Duplicate matcher")
struct DuplicateMatcherTests {
    @Test(arguments: StoreTarget.available)
    func phonesMatchAsDigitsEmailsCaseFoldedTaxIDsExactly(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let anna = try await t.services.parties.createContact(.init(name: "Анна", phones: ["+7 912 345-67-89"], emails: ["Anna@Example.com"]))
            let longer = try await t.services.parties.createContact(.init(name: "Офис", phones: ["+7 912 345-67-890"]))
            let bare = try await t.services.parties.createContact(.init(name: "Борис", phones: ["912 345 67 80"]))
            let gone = try await t.services.parties.createContact(.init(name: "Удалённый", phones: ["+7 900 000-00-07"]))
            try await t.services.parties.delete(.contacts, id: gone.id.rawValue)
            // An `inn` company field, as an installation that declares one stores it.
            let romashka = try await t.services.store.write { s in
                try await s.insertCompany(Company(id: CompanyID(0), name: "Ромашка", fields: ["inn": .string("7707083893")], createdAt: Fixtures.t0))
            }
            try await t.services.store.read { s in
                func ids(_ phones: [String], _ emails: [String] = []) async throws -> [Int64] {
                    try await DuplicateMatcher.contacts(phones: phones, emails: emails, s).map(\.id.rawValue)
                }
                #expect(try await ids(["8 (912) 345 67 89"]) == [anna.id.rawValue], "the other trunk prefix, other punctuation")
                #expect(try await ids(["79123456789"]) == [anna.id.rawValue])
                #expect(try await ids(["(912) 345-67-89"]) == [anna.id.rawValue], "no trunk prefix at all, as forms often send it")
                #expect(try await ids(["+7 912 345-67-80"]) == [bare.id.rawValue], "a number stored without a prefix is found with one")
                #expect(try await ids([], ["ANNA@example.COM"]) == [anna.id.rawValue])
                #expect(try await ids(["+7 912 345-67-890"]) == [longer.id.rawValue], "a whole number, not a part of one")
                #expect(try await ids(["912 345"]) == [], "a part of a number is no match")
                #expect(try await ids(["+7 900 000-00-07"]) == [], "a deleted contact is no duplicate")
                #expect(try await ids(["not a phone"], ["nope"]) == [])
                let companies = try await DuplicateMatcher.companies(fields: ["inn": .string("7707083893")], s).map(\.id)
                #expect(companies == [romashka.id])
                #expect(try await DuplicateMatcher.companies(fields: ["inn": .string("770708")], s).isEmpty)
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func theDuplicatesListPairsTheSameWayOnEitherDatabase(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let p = t.services.parties
            let firm = try await p.createCompany(name: "ООО Ромашка", fields: nil)
            let twin = try await p.createCompany(name: "ооо ромашка", fields: nil)
            let a = try await p.createContact(.init(name: "Анна", phones: ["+7 912 345-67-89"]))
            let b = try await p.createContact(.init(name: "Анна Петровна", phones: ["8 912 345 67 89"]))
            let c = try await p.createContact(.init(name: "Вера", emails: ["v@example.com"], company: firm.id.rawValue))
            let d = try await p.createContact(.init(name: "ВЕРА", emails: ["V@EXAMPLE.COM"], company: firm.id.rawValue))
            _ = try await p.createContact(.init(name: "Вера", company: twin.id.rawValue))
            _ = try await p.createContact(.init(name: "Глеб", phones: ["+7 900 111-22-33"]))
            let (contacts, companies) = try await t.services.store.read { s in
                (try await s.contactDuplicates(limit: 100), try await s.companyDuplicates(limit: 100))
            }
            #expect(
                contacts == [
                    DuplicatePair(first: c.id.rawValue, second: d.id.rawValue, reasons: [.email, .name]),
                    DuplicatePair(first: a.id.rawValue, second: b.id.rawValue, reasons: [.phone]),
                ])
            #expect(companies == [DuplicatePair(first: firm.id.rawValue, second: twin.id.rawValue, reasons: [.name])])
        }
    }

    @Test(arguments: StoreTarget.available)
    func companiesWithATaxIDTakenAnswer409UnlessAllowDuplicate(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            try await t.withAPI { api in
                let field = try await api.request(
                    .post, "/api/v1/fields", json: ["entity": "company", "key": "inn", "type": "text", "name": ["ru": "ИНН", "en": "Tax id"]])
                #expect(field.status == 201, "\(field.text)")
                let first = try await t.services.parties.createCompany(name: "Ромашка", fields: ["inn": .string("7707083893")])
                let refused = try await api.request(.post, "/api/v1/companies", json: ["name": "Ромашка 2", "fields": ["inn": "7707083893"]])
                #expect(refused.status == 409, "\(refused.text)")
                #expect(refused.object["existingId"] as? Int == Int(first.id.rawValue))
                #expect(refused.object["existingIds"] as? [Int] == [Int(first.id.rawValue)])
                var insisted: [String: any Sendable] = ["name": "Ромашка 2", "fields": ["inn": "7707083893"]]
                insisted["allowDuplicate"] = true
                #expect(try await api.request(.post, "/api/v1/companies", json: insisted).status == 201)
                #expect(
                    try await api.request(.post, "/api/v1/companies", json: ["name": "Ромашка 3", "fields": ["inn": "7707083894"]]).status == 201)
                #expect(try await api.request(.post, "/api/v1/companies", json: ["name": "Ромашка"]).status == 201, "a name alone is no duplicate")
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func theDialectsAnswerWithTheExistingContact(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let anna = try await t.services.parties.createContact(.init(name: "Анна", phones: ["+7 912 345-67-89"], emails: ["anna@example.com"]))
            let token = try await t.token(for: t.admin)
            let jwt = try await t.services.auth.createAmoCRMToken(for: t.admin.id, name: "amo", scope: .admin, days: 30, by: nil).secret
            try await t.withAPI(anonymous: true) { api in
                let form = ["Content-Type": "application/x-www-form-urlencoded"]
                let b24 = try await api.request(
                    .post, "/rest/\(t.admin.id)/\(token)/crm.contact.add", raw: "fields[NAME]=Anna2&fields[PHONE][0][VALUE]=8 912 345 67 89",
                    headers: form)
                #expect(b24.object["result"] as? Int == Int(anna.id.rawValue), "\(b24.text)")
                let fresh = try await api.request(
                    .post, "/rest/\(t.admin.id)/\(token)/crm.contact.add", raw: "fields[NAME]=Boris&fields[PHONE][0][VALUE]=+79000000001",
                    headers: form)
                let boris = try #require(fresh.object["result"] as? Int)
                #expect(boris != Int(anna.id.rawValue))
                let amo = try await api.with(token: jwt).request(
                    .post, "/api/v4/contacts",
                    json: [
                        ["name": "Anna3", "custom_fields_values": [["field_code": "EMAIL", "values": [["value": "ANNA@example.com"]]]]],
                        ["name": "Gleb", "custom_fields_values": [["field_code": "PHONE", "values": [["value": "+7 900 555-00-00"]]]]],
                    ])
                let made = ((amo.object["_embedded"] as? [String: Any])?["contacts"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } ?? []
                #expect(made.count == 2 && made[0] == Int(anna.id.rawValue) && made[1] != boris, "\(amo.text)")
            }
            let kept = try await t.services.store.read { s in try await s.contact(anna.id) }
            #expect(kept.name == "Анна" && kept.phones == anna.phones, "the existing contact is answered unchanged")
        }
    }

    @Test(arguments: StoreTarget.available)
    func inboundLeadsAttachToTheContactTheMatcherFinds(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let anna = try await t.services.parties.createContact(.init(name: "Анна", phones: ["+7 912 345-67-89"]))
            let secret = "ais_duplicates"
            try await t.services.store.write { s in
                try await s.insertSource(
                    InboundSource(
                        key: "site", pipeline: "sales", stage: nil, secretHash: Secrets.hash(secret), responsible: nil, createdAt: Fixtures.t0))
            }
            let captured = try await t.services.inbound.capture(
                source: "site", secret: secret, lead: .init(name: "Anna", phone: "8 (912) 345-67-89", email: nil, title: nil, comment: nil))
            #expect(captured.contact.id == anna.id)
        }
    }
}
