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
        return .ok(
            .init(
                body: .json(
                    .init(
                        deals: try found.deals.map { try presented($0, catalog: catalog) },
                        contacts: try found.contacts.map { try presented($0, catalog: catalog) },
                        companies: try found.companies.map { try presented($0, catalog: catalog) }, moreDeals: found.moreDeals,
                        moreContacts: found.moreContacts, moreCompanies: found.moreCompanies))))
    }
}
