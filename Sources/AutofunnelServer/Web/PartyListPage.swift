import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Hummingbird

/// The contacts or companies list: a search (name; for contacts also a phone by its digits and an e-mail), filters
/// (the responsible of their deals, segment, open deals, the period created), an order and numbered pages of 50, and
/// the form that creates one. Filters are a GET form, so every list is an address and works without JavaScript.
struct PartyListPage {
    typealias Option = WebOption
    struct Link {
        let href: String
        let label: String
    }
    struct Row {
        let id: Int64
        let name: String
        let href: String
        let phones: [Link]
        let emails: [Link]
        let company: Link?
        let created: String
        var tags: [Link] = []
    }
    let kind: String
    let isContacts: Bool
    let heading: String
    let q: String
    let responsibles: [Option]
    let segmentOptions: [Option]
    /// Whether the segment is a choice of the field's options (else typed).
    let segmentChoice: Bool
    let segment: String
    let openChoices: [Option]
    let from: String
    let to: String
    let orders: [Option]
    let descending: Bool
    let rows: [Row]
    let total: Int
    let pageNumber: Int
    let previous: String?
    let next: String?
    let writes: Bool
    /// The tag filter as typed, the tags in use (suggested), and this list's address (the bulk form comes back to it).
    var tag = ""
    var tagSuggestions: [String] = []
    var back = ""
    /// After a create that looks like an existing contact: that contact, and the form's values to create anyway.
    var duplicate: Duplicate? = nil

    /// The existing contact a new one looks like, and the posted values sent again by "create anyway".
    struct Duplicate {
        struct Value {
            let name: String
            let value: String
        }
        let href: String
        let name: String
        let matched: String
        let values: [Value]
        let isCompany: Bool

        init(_ existing: ExistingRecord, form: [String: String]) {
            isCompany = existing.entity == "company"
            href = (isCompany ? "/companies/" : "/contacts/") + String(existing.id)
            name = existing.name
            matched = existing.matched
            values = form.keys.filter { ["name", "phones", "emails", "company"].contains($0) || $0.hasPrefix("f.") }.sorted()
                .compactMap { key in form[key].map { Value(name: key, value: $0) } }
        }
    }

    static let pageSize = 50

    /// The list's query as a page address sends it, bounded: a text of at most 200 characters, dates as `YYYY-MM-DD`,
    /// a page number of at most 100,000.
    struct Filters {
        var q = ""
        var responsible: Int64?
        var segment = ""
        var open = ""
        var from = ""
        var to = ""
        var order = PartyListQuery.Order.name
        var descending = false
        var page = 1
        var tag = ""

        init(_ query: [String: String]) throws {
            q = String((query["q"] ?? "").trimmed.prefix(200))
            if let r = query["responsible"], !r.isEmpty {
                responsible = Int64(try Web.integer(r, "responsible", in: 1...Int(Int32.max), default: 1))
            }
            segment = String((query["segment"] ?? "").trimmed.prefix(100))
            open = ["yes", "no"].contains(query["open"] ?? "") ? query["open"]! : ""
            from = try Self.date(query["from"], "from")
            to = try Self.date(query["to"], "to")
            order = PartyListQuery.Order(rawValue: query["sort"] ?? "") ?? .name
            descending = query["desc"] == "1"
            page = try Web.integer(query["page"], "page", in: 1...100_000, default: 1)
            tag = String((query["tag"] ?? "").trimmed.prefix(Tag.maxLength * 4))
        }

        /// The key the tag filter matches; a tag that cannot exist matches nothing.
        var tagKey: String? { tag.isEmpty ? nil : ((try? Tag.parse(tag).get())?.key ?? ",") }

        static func date(_ text: String?, _ field: String) throws -> String {
            guard let text, !text.isEmpty else { return "" }
            guard CalendarText.isDate(text) else {
                throw AppError.invalidParameter(field, ru: "\(field) — дата ГГГГ-ММ-ДД", en: "\(field) must be a date YYYY-MM-DD")
            }
            return text
        }

        func query(scope: DealScope) -> PartyListQuery {
            PartyListQuery(
                text: q.isEmpty ? nil : q, responsible: responsible.map(UserID.init(rawValue:)), segment: segment.isEmpty ? nil : segment,
                openDeals: open.isEmpty ? nil : open == "yes", createdFrom: CalendarText.millis(from).map(Timestamp.init(millis:)),
                createdBefore: CalendarText.millis(to).map { Timestamp(millis: $0).adding(days: 1) }, scope: scope, order: order,
                descending: descending, offset: (page - 1) * PartyListPage.pageSize, limit: PartyListPage.pageSize, tag: tagKey)
        }

        /// The address of this list on another page.
        func href(_ kind: PartyKind, page: Int) -> String {
            var parts: [(String, String)] = [("q", q), ("segment", segment), ("open", open), ("from", from), ("to", to), ("tag", tag)]
            if let responsible { parts.append(("responsible", String(responsible))) }
            if order != .name { parts.append(("sort", order.rawValue)) }
            if descending { parts.append(("desc", "1")) }
            if page > 1 { parts.append(("page", String(page))) }
            let query = parts.filter { !$0.1.isEmpty }.map { "\($0.0)=\(Web.encode($0.1))" }.joined(separator: "&")
            return kind.path + (query.isEmpty ? "" : "?" + query)
        }
    }

    static func load(_ kind: PartyKind, filters f: Filters, viewer: WebViewer, services: AppServices) async throws -> PartyListPage {
        let principal = viewer.principal
        let t = WebText.labels(viewer.locale)
        return try await services.store.read { s in
            let catalog = try await s.fieldCatalog()
            let scope = principal.dealScope(pipelines: try await s.pipelines().map(\.key))
            let query = f.query(scope: scope)
            let view = FieldView(principal, catalog: catalog)
            var rows: [Row] = []
            let total: Int
            switch kind {
            case .contacts:
                let (contacts, count) = try await s.contactList(query)
                total = count
                let companies = try await s.linkedCompanies(Array(Set(contacts.compactMap(\.company))))
                rows = contacts.map { c in
                    let shown = view.contact(c)
                    return Row(
                        id: c.id.rawValue, name: c.name, href: "/contacts/\(c.id)", phones: shown.phones.map(PartyCardPage.phoneLink),
                        emails: shown.emails.map(PartyCardPage.emailLink),
                        company: c.company.flatMap { companies[$0] }.map { Link(href: "/companies/\($0.id)", label: $0.name) },
                        created: viewer.time(c.createdAt))
                }
            case .companies:
                let (companies, count) = try await s.companyList(query)
                total = count
                rows = companies.map {
                    Row(
                        id: $0.id.rawValue, name: $0.name, href: "/companies/\($0.id)", phones: [], emails: [], company: nil,
                        created: viewer.time($0.createdAt))
                }
            }
            let tags = try await s.tags(kind.tagKind, of: rows.map(\.id))
            for i in rows.indices {
                rows[i].tags = (tags[rows[i].id] ?? []).map { Link(href: "\(kind.path)?tag=\(Web.encode($0.name))", label: $0.name) }
            }
            let suggestions = try await s.tagsInUse([kind.tagKind], prefix: nil, limit: TagChips.suggestionLimit).map(\.tag.name)
            let segmentDefinition = catalog.definition(.contact, "segment")
            let users = try await s.users().filter(\.active)
            let last = max(1, (total + pageSize - 1) / pageSize)
            var page = PartyListPage(
                kind: kind.rawValue, isContacts: kind == .contacts, heading: kind.heading(ru: viewer.ru), q: f.q,
                responsibles: [Option(value: "", label: t["anyone"] ?? "", selected: f.responsible == nil)]
                    + users.map { Option(value: String($0.id.rawValue), label: $0.name, selected: $0.id.rawValue == f.responsible) },
                segmentOptions: [Option(value: "", label: t["anyone"] ?? "", selected: f.segment.isEmpty)]
                    + (segmentDefinition?.options ?? []).map { Option(value: $0.key, label: viewer.text($0.name), selected: $0.key == f.segment) },
                segmentChoice: segmentDefinition?.options?.isEmpty == false, segment: f.segment,
                openChoices: [("", t["anyone"] ?? ""), ("yes", t["withOpenDeals"] ?? ""), ("no", t["withoutOpenDeals"] ?? "")].map {
                    Option(value: $0.0, label: $0.1, selected: $0.0 == f.open)
                }, from: f.from, to: f.to,
                orders: PartyListQuery.Order.allCases.map {
                    Option(value: $0.rawValue, label: t["sort." + $0.rawValue] ?? $0.rawValue, selected: $0 == f.order)
                }, descending: f.descending, rows: rows, total: total, pageNumber: f.page,
                previous: f.page > 1 ? f.href(kind, page: f.page - 1) : nil, next: f.page < last ? f.href(kind, page: f.page + 1) : nil,
                writes: principal.mayWrite)
            page.tag = f.tag
            page.tagSuggestions = suggestions
            page.back = f.href(kind, page: f.page)
            return page
        }
    }
}
