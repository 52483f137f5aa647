import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Hummingbird

/// Likely duplicates (`/duplicates`, `?kind=companies` for companies): pairs of contacts sharing a phone or an e-mail,
/// or with one name at one company, and pairs of companies with one tax id or one name, newest first, each with the
/// link to merge them for those who may (admins and heads of sales). Contacts and companies are visible to every
/// role; what a pair shares is named without the value, and phones and e-mails show only to roles that see them.
struct DuplicatesPage {
    struct Side {
        let id: Int64
        let name: String
        let href: String
        let details: String
    }
    struct Row {
        let first: Side
        let second: Side
        let why: String
        let merge: String?
    }
    let kind: String
    let isContacts: Bool
    let heading: String
    let rows: [Row]
    let contactsHref = "/duplicates"
    let companiesHref = "/duplicates?kind=companies"

    /// The most pairs the page lists.
    static let limit = 100

    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        router.get("/duplicates") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            let kind: PartyKind = Web.query(request)["kind"] == "companies" ? .companies : .contacts
            let page = try await load(kind, viewer: viewer, services: services)
            return renderer.page("duplicates", page, title: page.heading, viewer: viewer)
        }
    }

    static func load(_ kind: PartyKind, viewer: WebViewer, services: AppServices) async throws -> DuplicatesPage {
        let t = WebText.labels(viewer.locale)
        let merges = viewer.principal.deletesParties
        let (pairs, sides) = try await services.store.read { s -> ([DuplicatePair], [Int64: Side]) in
            let view = FieldView(viewer.principal, catalog: try await s.fieldCatalog())
            var sides: [Int64: Side] = [:]
            switch kind {
            case .contacts:
                let pairs = try await s.contactDuplicates(limit: limit)
                let ids = Array(Set(pairs.flatMap { [$0.first, $0.second] }))
                for (id, c) in try await s.linkedContacts(ids.map(ContactID.init(rawValue:))) {
                    let shown = view.contact(c)
                    sides[id.rawValue] = Side(
                        id: id.rawValue, name: c.name, href: "/contacts/\(id)", details: (shown.phones + shown.emails).joined(separator: ", "))
                }
                return (pairs, sides)
            case .companies:
                let pairs = try await s.companyDuplicates(limit: limit)
                let ids = Array(Set(pairs.flatMap { [$0.first, $0.second] }))
                for (id, c) in try await s.linkedCompanies(ids.map(CompanyID.init(rawValue:))) {
                    sides[id.rawValue] = Side(id: id.rawValue, name: c.name, href: "/companies/\(id)", details: "")
                }
                return (pairs, sides)
            }
        }
        let rows = pairs.compactMap { pair -> Row? in
            guard let a = sides[pair.first], let b = sides[pair.second] else { return nil }
            return Row(
                first: a, second: b, why: pair.reasons.map { t["reason." + $0.rawValue] ?? $0.rawValue }.joined(separator: ", "),
                merge: merges ? "\(kind.path)/\(a.id)/merge?from=\(b.id)" : nil)
        }
        return DuplicatesPage(
            kind: kind.rawValue, isContacts: kind == .contacts,
            heading: (kind == .contacts ? t["duplicatesOfContacts"] : t["duplicatesOfCompanies"]) ?? "", rows: rows)
    }
}
