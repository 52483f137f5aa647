import AutofunnelCore
import AutofunnelStore

extension RecordAccess {
    /// The search box and `GET /search`: what the caller may see of deals, contacts and companies matching `query`,
    /// at most `limit` of each kind, with the field catalog to present them by. Contacts are found by phones and
    /// e-mails, and companies by tax id, only when the caller's role sees those fields: a search must not tell whose
    /// number a hidden phone is.
    public func search(_ query: String, limit: Int) async throws -> (SearchResults, FieldCatalog) {
        try await store.read { s in
            let catalog = try await s.fieldCatalog()
            guard let terms = SearchTerms(query) else { return (.empty, catalog) }
            let view = FieldView(principal, catalog: catalog)
            let scope = SearchScope(
                deals: principal.dealScope(pipelines: try await s.pipelines().map(\.key)),
                contactDetails: view.shows(.contact, "phones") && view.shows(.contact, "emails"),
                companyDetails: SearchText.taxIDFields.allSatisfy { view.shows(.company, $0.rawValue) })
            var found = try await s.search(terms, scope: scope, limit: limit)
            found.deals = found.deals.filter(principal.sees)
            return (found, catalog)
        }
    }
}
