import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import HTTPTypes
import Hummingbird

/// The routes of the contacts and companies pages: the list (and its create form), the card, edit and delete. Each
/// change goes through `PartyService` with the API's access checks (`RecordAccess`); a refusal shows the page again
/// with the reasons.
enum PartyPages {
    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        for kind in [PartyKind.contacts, .companies] {
            router.get(RouterPath(kind.path)) { request, context -> Response in
                guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
                return try await list(kind, viewer: viewer, filters: try .init(Web.query(request)), services: services, renderer: renderer)
            }
            router.post(RouterPath(kind.path)) { request, context -> Response in
                guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
                let form = try await viewer.form(request)
                do {
                    let id = try await save(kind, id: nil, form: form, viewer: viewer, services: services)
                    return Pages.redirect("\(kind.path)/\(id)")
                } catch AppError.duplicate(let existing) {
                    var page = try await PartyListPage.load(kind, filters: try .init([:]), viewer: viewer, services: services)
                    page.duplicate = .init(existing, form: form)
                    return renderer.page("parties", page, title: page.heading, viewer: viewer, status: .conflict)
                } catch let error as AppError {
                    guard let refusal = shown(error) else { throw error }
                    return try await list(
                        kind, viewer: viewer, filters: try .init([:]), services: services, renderer: renderer, status: refusal.status,
                        problems: refusal.problems)
                }
            }
            router.get(RouterPath("\(kind.path)/{id}")) { request, context -> Response in
                guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
                let id = try recordID(context, kind)
                do {
                    return try await card(kind, id: id, viewer: viewer, services: services, renderer: renderer)
                } catch {
                    // The number of a record merged into another opens the one kept.
                    guard case .notFound? = AppError.from(error),
                        let kept = try await services.store.read({ s in try await s.mergedInto(kind.table, id: id) })
                    else { throw error }
                    return Pages.redirect("\(kind.path)/\(kept)")
                }
            }
            router.post(RouterPath("\(kind.path)/{id}/{verb}")) { request, context -> Response in
                guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
                let form = try await viewer.form(request)
                let id = try recordID(context, kind)
                let verb = try context.parameters.require("verb")
                do {
                    switch verb {
                    case "edit": try await save(kind, id: id, form: form, viewer: viewer, services: services)
                    case "tags": try await TagPages.change(kind.tagKind, ids: [id], form: form, viewer: viewer, services: services)
                    case "notes": _ = try await services.notes.add(to: kind.noteOwner(id), text: form["text"] ?? "", principal: viewer.principal)
                    case "delete":
                        try RecordAccess(principal: viewer.principal, store: services.store).requirePartyDeleter()
                        do {
                            try await services.parties.delete(kind.table, id: id)
                        } catch AppError.conflict {
                            throw AppError.conflict(try await usedBy(kind, id: id, viewer: viewer, services: services))
                        }
                        return Pages.redirect(kind.path)
                    default: throw AppError.notFound("No such action")
                    }
                } catch let error as AppError {
                    guard let refusal = shown(error) else { throw error }
                    return try await card(
                        kind, id: id, viewer: viewer, services: services, renderer: renderer, status: refusal.status, problems: refusal.problems)
                }
                return Pages.redirect("\(kind.path)/\(id)")
            }
        }
    }

    static func recordID(_ context: AppRequestContext, _ kind: PartyKind) throws -> Int64 {
        guard let id = Int64(try context.parameters.require("id")), id > 0 else { throw AppError.notFound("No such \(kind.entity.rawValue)") }
        return id
    }

    /// The refusals a page shows above itself, with their status; other errors are the error page's.
    static func shown(_ error: AppError) -> (status: HTTPResponse.Status, problems: [Violation])? {
        switch error {
        case .refused(let problems): return (.unprocessableContent, problems)
        case .forbidden(let problems): return (.forbidden, problems)
        case .conflict(let text): return (.conflict, [Violation(rule: .forbidden, field: nil, message: .init(ru: text, en: text))])
        default: return nil
        }
    }

    static func list(
        _ kind: PartyKind, viewer: WebViewer, filters: PartyListPage.Filters, services: AppServices, renderer: WebRenderer,
        status: HTTPResponse.Status = .ok, problems: [Violation] = []
    ) async throws -> Response {
        let page = try await PartyListPage.load(kind, filters: filters, viewer: viewer, services: services)
        return renderer.page("parties", page, title: page.heading, viewer: viewer, status: status, problems: problems, errorsID: "party-errors")
    }

    static func card(
        _ kind: PartyKind, id: Int64, viewer: WebViewer, services: AppServices, renderer: WebRenderer, status: HTTPResponse.Status = .ok,
        problems: [Violation] = []
    ) async throws -> Response {
        let page = try await PartyCardPage.load(kind, id: id, viewer: viewer, services: services)
        return renderer.page("party", page, title: page.name, viewer: viewer, status: status, problems: problems, errorsID: "party-errors")
    }

    /// Creates (`id` nil) or changes a contact or company from its form, with the API's access checks; returns its id.
    @discardableResult
    static func save(_ kind: PartyKind, id: Int64?, form: [String: String], viewer: WebViewer, services: AppServices) async throws -> Int64 {
        let access = RecordAccess(principal: viewer.principal, store: services.store)
        try access.requireWriter()
        let catalog = try await services.store.read { s in try await s.fieldCatalog() }
        switch kind {
        case .contacts:
            let input = try await PartyForm.contactInput(form, catalog: catalog, viewer: viewer, store: services.store)
            try access.requireContactWrite(input, catalog: catalog)
            guard let id else {
                return try await services.parties.createContact(input, refusingDuplicate: form["allowDuplicate"] != "1").id.rawValue
            }
            return try await services.parties.updateContact(ContactID(id), input).id.rawValue
        case .companies:
            let fields = PartyForm.fields(form, entity: .company, catalog: catalog, viewer: viewer)
            try access.requireCompanyWrite(fields: fields, catalog: catalog)
            guard let id else {
                return try await services.parties.createCompany(
                    name: form["name"] ?? "", fields: fields, refusingDuplicate: form["allowDuplicate"] != "1"
                )
                .id.rawValue
            }
            return try await services.parties.updateCompany(CompanyID(id), name: form["name"], fields: fields).id.rawValue
        }
    }

    /// Why a delete was refused, in the viewer's words: the open deals that use the record, those the viewer may see by
    /// number and title (the card lists them with links), the others counted.
    static func usedBy(_ kind: PartyKind, id: Int64, viewer: WebViewer, services: AppServices) async throws -> String {
        let shown = 10
        let (ids, deals) = try await services.store.read { s in
            let ids = try await s.openDeals(using: kind.table, id: id, limit: shown + 1)
            return (ids, try await s.deals(ids: ids))
        }
        let seen = ids.compactMap { deals[$0] }.filter(viewer.principal.sees)
        var list = seen.prefix(shown).map { "№\($0.id) «\($0.title)»" }.joined(separator: ", ")
        let hidden = ids.count - seen.count
        if hidden > 0 { list += (list.isEmpty ? "" : ", ") + (viewer.ru ? "ещё сделок: \(hidden)" : "\(hidden) more") }
        switch kind {
        case .contacts:
            return viewer.ru
                ? "Контакт нужен открытым сделкам (\(list)): закройте их или привяжите к ним другой контакт, тогда удалите."
                : "Open deals use this contact (\(list)): close them or link them to another contact, then delete it."
        case .companies:
            return viewer.ru
                ? "Компания нужна открытым сделкам (\(list)): закройте их или привяжите к ним другую компанию, тогда удалите."
                : "Open deals use this company (\(list)): close them or link them to another company, then delete it."
        }
    }
}
