import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import OpenAPIRuntime

extension APIHandler {
    func search(_ input: Operations.search.Input) async throws -> Operations.search.Output {
        let q = input.query.q
        // The generated server does not enforce the spec's bounds: they are checked here.
        guard !q.isEmpty, q.count <= SearchTerms.maxLength else {
            throw AppError.invalidParameter(
                "q", ru: "q — от 1 до \(SearchTerms.maxLength) символов", en: "q must be 1 to \(SearchTerms.maxLength) characters")
        }
        let limit = input.query.limit ?? 10
        guard (1...StoreSession.searchLimit).contains(limit) else {
            throw AppError.invalidParameter(
                "limit", ru: "limit — от 1 до \(StoreSession.searchLimit)", en: "limit must be 1 to \(StoreSession.searchLimit)")
        }
        let (found, catalog) = try await access().search(q, limit: limit)
        let dealTags = try await tags(.deal, found.deals.map(\.id.rawValue))
        let contactTags = try await tags(.contact, found.contacts.map(\.id.rawValue))
        let companyTags = try await tags(.company, found.companies.map(\.id.rawValue))
        return .ok(
            .init(
                body: .json(
                    .init(
                        deals: try found.deals.map { try presented($0, catalog: catalog, tags: dealTags) },
                        contacts: try found.contacts.map { try presented($0, catalog: catalog, tags: contactTags) },
                        companies: try found.companies.map { try presented($0, catalog: catalog, tags: companyTags) }, moreDeals: found.moreDeals,
                        moreContacts: found.moreContacts, moreCompanies: found.moreCompanies))))
    }
}
