import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// A company's custom field that a role may only read is refused to that role on create and on change through the
/// JSON API, as a contact's is, and nothing is written; a role that may write it is not refused.
@Suite("Company fields' access in the API")
struct CompanyFieldAccessTests {
    @Test(arguments: StoreTarget.available)
    func aReadOnlyFieldIsRefusedOnCreateAndChange(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            try await t.services.store.write { s in
                try await s.saveField(
                    FieldDefinition(
                        entity: .company, key: "inn", type: .text, name: .init(ru: "ИНН", en: "Tax id"), access: [.manager: .readOnly]),
                    declaredBy: nil, at: Fixtures.t0)
            }
            let seller = try await t.user("seller@example.com", role: .manager)
            let company = try await t.services.parties.createCompany(name: "ООО Ромашка", fields: ["inn": .string("7701234567")])
            try await t.withAPI(as: seller) { api in
                let made = try await api.request(.post, "/api/v1/companies", json: ["name": "ООО Лютик", "fields": ["inn": "7709999999"]])
                #expect(made.status == 403 && made.text.contains("fields.inn"), "\(made.text)")
                let changed = try await api.request(.patch, "/api/v1/companies/\(company.id)", json: ["fields": ["inn": "0000000000"]])
                #expect(changed.status == 403)
                // The name alone is theirs to change.
                #expect(try await api.request(.patch, "/api/v1/companies/\(company.id)", json: ["name": "ООО Ромашка+"]).status == 200)
            }
            let stored = try await t.services.store.read { s in try await s.company(company.id) }
            #expect(stored.fields["inn"] == .string("7701234567") && stored.name == "ООО Ромашка+")
            let all = try await t.services.store.read { s in try await s.companies(tag: nil, after: nil, limit: 10) }.items
            #expect(all.map(\.name) == ["ООО Ромашка+"], "the refused create wrote nothing")
            let byAdmin = try await t.withAPI { api in
                try await api.request(.post, "/api/v1/companies", json: ["name": "ООО Лютик", "fields": ["inn": "7709999999"]]).status
            }
            #expect(byAdmin == 201)
        }
    }
}
