import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import HTTPTypes
import Hummingbird

/// The note forms of the cards: change one's own note's text (`/notes/{id}/edit`) and pin or unpin a note
/// (`/notes/{id}/pin`), through `NoteService` as the API does; back to the note's card, or the card again with the
/// reason when refused. Adding a note posts to the card's own `…/notes`.
enum NotePages {
    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        router.post("/notes/{id}/{verb}") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            let form = try await viewer.form(request)
            guard let raw = Int64(try context.parameters.require("id")), raw > 0 else { throw AppError.notFound("No such note") }
            let id = NoteID(raw)
            let owner = try await services.store.read { s in try await s.note(id).owner }
            do {
                switch try context.parameters.require("verb") {
                case "edit": _ = try await services.notes.change(id, text: form["text"] ?? "", pinned: nil, principal: viewer.principal)
                case "pin": _ = try await services.notes.change(id, text: nil, pinned: form["pinned"] == "1", principal: viewer.principal)
                default: throw AppError.notFound("No such action")
                }
            } catch let error as AppError {
                let problems: [Violation]
                let status: HTTPResponse.Status
                switch error {
                case .conflict:
                    (problems, status) = ([Violation(rule: .forbidden, field: "text", message: NoteService.tooLate)], .conflict)
                default:
                    guard let refusal = PartyPages.shown(error) else { throw error }
                    (problems, status) = (refusal.problems, refusal.status)
                }
                switch owner {
                case .deal(let deal): return try await DealPage.show(deal, viewer: viewer, services: services, renderer: renderer, problems: problems)
                case .contact(let contact):
                    return try await PartyPages.card(
                        .contacts, id: contact.rawValue, viewer: viewer, services: services, renderer: renderer, status: status, problems: problems)
                case .company(let company):
                    return try await PartyPages.card(
                        .companies, id: company.rawValue, viewer: viewer, services: services, renderer: renderer, status: status, problems: problems)
                }
            }
            switch owner {
            case .deal(let deal): return Pages.redirect("/deals/\(deal)#notes-block")
            case .contact(let contact): return Pages.redirect("/contacts/\(contact)#notes-block")
            case .company(let company): return Pages.redirect("/companies/\(company)#notes-block")
            }
        }
    }
}
