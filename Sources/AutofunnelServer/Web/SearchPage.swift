import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Hummingbird

/// The results of the navigation's search box: deals, contacts and companies the viewer may see, grouped by kind.
struct SearchPage {
    struct DealRow {
        let id: Int64
        let title: String
        let place: String
        let amount: String?
        let closed: String?
    }
    struct PartyRow {
        let href: String
        let name: String
        let details: String?
    }
    struct Group<Row> {
        let rows: [Row]
        let more: Bool
    }
    let q: String
    let deals: Group<DealRow>?
    let contacts: Group<PartyRow>?
    let companies: Group<PartyRow>?
    /// A query was asked and nothing it may show matched.
    let nothing: Bool

    /// Results shown of each kind.
    static let limit = 20

    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        router.get("/search") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            // A longer query is cut, as the box's maxlength cuts it: the page answers rather than refuses.
            let q = String((Web.query(request)["q"] ?? "").prefix(SearchTerms.maxLength))
            let page = try await load(q, viewer: viewer, services: services)
            return renderer.page("search", page, title: viewer.ru ? "Поиск" : "Search", viewer: viewer)
        }
    }

    static func load(_ q: String, viewer: WebViewer, services: AppServices) async throws -> SearchPage {
        guard SearchTerms(q) != nil else { return SearchPage(q: q, deals: nil, contacts: nil, companies: nil, nothing: false) }
        let (found, catalog) = try await RecordAccess(principal: viewer.principal, store: services.store).search(q, limit: limit)
        let pipelines = try await services.store.read { s in try await s.pipelines() }
        let view = FieldView(viewer.principal, catalog: catalog)
        let deals = found.deals.map { deal -> DealRow in
            let pipeline = pipelines.first { $0.key == deal.pipeline }
            let stage = pipeline?.stage(deal.stage).map { viewer.text($0.name) } ?? deal.stage.rawValue
            let place = (pipeline.map { viewer.text($0.name) } ?? deal.pipeline.rawValue) + " · " + stage
            let closed = deal.status == .open ? nil : WebText.labels(viewer.locale)["status." + deal.status.rawValue]
            return DealRow(id: deal.id.rawValue, title: deal.title, place: place, amount: deal.amount.map { WebFormat.money($0) }, closed: closed)
        }
        let showsPhones = view.shows(.contact, "phones")
        let showsEmails = view.shows(.contact, "emails")
        let contacts = found.contacts.map { c in
            let details = (showsPhones ? c.phones : []) + (showsEmails ? c.emails : [])
            return PartyRow(href: "/contacts/\(c.id)", name: c.name, details: details.isEmpty ? nil : details.joined(separator: ", "))
        }
        let companies = found.companies.map { c in
            let taxIDs = SearchText.taxIDFields.filter { view.shows(.company, $0.rawValue) }.compactMap { key -> String? in
                c.fields[key].map { WebFormat.value($0, definition: catalog.definition(.company, key), ru: viewer.ru) }
            }
            return PartyRow(href: "/companies/\(c.id)", name: c.name, details: taxIDs.isEmpty ? nil : taxIDs.joined(separator: ", "))
        }
        return SearchPage(
            q: q, deals: deals.isEmpty ? nil : Group(rows: deals, more: found.moreDeals),
            contacts: contacts.isEmpty ? nil : Group(rows: contacts, more: found.moreContacts),
            companies: companies.isEmpty ? nil : Group(rows: companies, more: found.moreCompanies),
            nothing: deals.isEmpty && contacts.isEmpty && companies.isEmpty)
    }
}
