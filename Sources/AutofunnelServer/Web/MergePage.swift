import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Hummingbird

/// Two contacts (or companies) side by side (`/contacts/{kept}/merge?from={merged}`): per field the viewer may see, a
/// choice of whose value stays (phones and e-mails may keep both); fields the viewer may not change are shown without a
/// choice and keep the merge's default. Posting merges them in one transaction (`PartyService.mergeContacts`).
struct MergePage {
    struct Side {
        let id: Int64
        let name: String
        let href: String
        let deals: Int
    }
    struct Choice {
        let field: String
        let label: String
        let kept: String
        let merged: String
        let both: Bool
        let writable: Bool
        let keptChecked: Bool
        let mergedChecked: Bool
        let bothChecked: Bool
    }
    let kind: String
    let kept: Side
    let merged: Side
    let choices: [Choice]
    let action: String
    let swap: String

    /// The most deals counted on each side.
    static let dealCount = 1000

    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        for kind in [PartyKind.contacts, .companies] {
            router.get(RouterPath("\(kind.path)/{id}/merge")) { request, context -> Response in
                guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
                let id = try PartyPages.recordID(context, kind)
                guard let from = Web.query(request)["from"].flatMap({ Int64($0) }), from > 0 else { throw AppError.notFound("No record to merge") }
                let page = try await load(kind, kept: id, merged: from, viewer: viewer, services: services)
                return renderer.page("merge", page, title: viewer.ru ? "Объединение" : "Merge", viewer: viewer, errorsID: "merge-errors")
            }
            router.post(RouterPath("\(kind.path)/{id}/merge")) { request, context -> Response in
                guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
                let form = try await viewer.form(request)
                return try await submit(
                    kind, id: try PartyPages.recordID(context, kind), form: form, viewer: viewer, services: services, renderer: renderer)
            }
        }
    }

    /// Merges from the posted form and opens the kept record; a refusal shows the page again with the reasons.
    static func submit(
        _ kind: PartyKind, id: Int64, form: [String: String], viewer: WebViewer, services: AppServices, renderer: WebRenderer
    ) async throws -> Response {
        guard let from = form["from"].flatMap({ Int64($0) }), from > 0 else { throw AppError.notFound("No record to merge") }
        var picks: [String: MergePick] = [:]
        for (name, value) in form where name.hasPrefix("pick.") && picks.count < 300 {
            if let pick = MergePick(rawValue: value) { picks[String(name.dropFirst(5))] = pick }
        }
        do {
            let catalog = try await services.store.read { s in try await s.fieldCatalog() }
            try RecordAccess(principal: viewer.principal, store: services.store).requireMerge(kind.entity, picks: picks, catalog: catalog)
            let caller = viewer.caller
            switch kind {
            case .contacts: _ = try await services.parties.mergeContacts(into: ContactID(id), from: ContactID(from), picks: picks, caller: caller)
            case .companies: _ = try await services.parties.mergeCompanies(into: CompanyID(id), from: CompanyID(from), picks: picks, caller: caller)
            }
            return Pages.redirect("\(kind.path)/\(id)")
        } catch let error as AppError {
            guard let refusal = PartyPages.shown(error) else { throw error }
            let page = try await load(kind, kept: id, merged: from, viewer: viewer, services: services)
            return renderer.page(
                "merge", page, title: viewer.ru ? "Объединение" : "Merge", viewer: viewer, status: refusal.status, problems: refusal.problems,
                errorsID: "merge-errors")
        }
    }

    static func load(_ kind: PartyKind, kept: Int64, merged: Int64, viewer: WebViewer, services: AppServices) async throws -> MergePage {
        let t = WebText.labels(viewer.locale)
        let p = viewer.principal
        return try await services.store.read { s in
            let catalog = try await s.fieldCatalog()
            let view = FieldView(p, catalog: catalog)
            func side(_ id: Int64, _ name: String) async throws -> Side {
                let deals = try await s.dealIDs(using: kind.table, id: id, limit: dealCount).count
                return Side(id: id, name: name, href: "\(kind.path)/\(id)", deals: deals)
            }
            func choice(_ field: String, _ label: String, _ a: String, _ b: String, both: Bool = false, definition: FieldDefinition? = nil) -> Choice
            {
                let writable = p.access(kind.entity, field, definition: definition) == .write
                let takesOther = !both && a.isEmpty && !b.isEmpty
                return Choice(
                    field: field, label: label, kept: a, merged: b, both: both, writable: writable, keptChecked: !both && !takesOther,
                    mergedChecked: takesOther, bothChecked: both)
            }
            var choices: [Choice] = []
            let a: Side
            let b: Side
            var customA: [FieldKey: JSONValue] = [:]
            var customB: [FieldKey: JSONValue] = [:]
            switch kind {
            case .contacts:
                let x = view.contact(try await s.contact(ContactID(kept)))
                let y = view.contact(try await s.contact(ContactID(merged)))
                a = try await side(kept, x.name)
                b = try await side(merged, y.name)
                let companies = try await s.linkedCompanies([x.company, y.company].compactMap { $0 })
                choices.append(choice("name", t["name"] ?? "", x.name, y.name))
                if view.shows(.contact, "phones") {
                    choices.append(
                        choice("phones", t["phones"] ?? "", x.phones.joined(separator: ", "), y.phones.joined(separator: ", "), both: true))
                }
                if view.shows(.contact, "emails") {
                    choices.append(
                        choice("emails", t["emails"] ?? "", x.emails.joined(separator: ", "), y.emails.joined(separator: ", "), both: true))
                }
                choices.append(
                    choice(
                        "company", t["company"] ?? "", x.company.flatMap { companies[$0]?.name } ?? "",
                        y.company.flatMap { companies[$0]?.name } ?? ""))
                (customA, customB) = (x.fields, y.fields)
            case .companies:
                let x = view.company(try await s.company(CompanyID(kept)))
                let y = view.company(try await s.company(CompanyID(merged)))
                a = try await side(kept, x.name)
                b = try await side(merged, y.name)
                choices.append(choice("name", t["companyName"] ?? "", x.name, y.name))
                (customA, customB) = (x.fields, y.fields)
            }
            for d in catalog.all(kind.entity) where view.shows(kind.entity, d.key.rawValue) {
                choices.append(choice(d.key.rawValue, viewer.text(d.name), text(customA[d.key]), text(customB[d.key]), definition: d))
            }
            return MergePage(
                kind: kind.rawValue, kept: a, merged: b, choices: choices, action: "\(kind.path)/\(kept)/merge",
                swap: "\(kind.path)/\(merged)/merge?from=\(kept)")
        }
    }

    /// A custom value as a person reads it.
    static func text(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: return ""
        case .string(let s)?: return s
        case .array(let items)?: return items.map { text($0) }.joined(separator: ", ")
        case let other?: return other.lenientText ?? ""
        }
    }
}
