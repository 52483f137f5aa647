import AutofunnelCore
import AutofunnelEngine
import HTTPTypes
import Hummingbird

/// Tag changes from the pages: a card's own form (put tags on, take one off) and the lists' bulk form, which puts a
/// tag on or takes it off every checked row. Both go through `TagService`, with the access of the records they change.
enum TagPages {
    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        for kind in [PartyKind.contacts, .companies] {
            router.post(RouterPath("\(kind.path)/tags")) { request, context -> Response in
                guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
                let form = try await viewer.form(request)
                do {
                    let ids = selected(form)
                    guard !ids.isEmpty else {
                        throw AppError.refused([
                            Violation(rule: .invalidValue, field: "select", message: .init(ru: "Ничего не выбрано", en: "Nothing is selected"))
                        ])
                    }
                    let names = [form["tag"] ?? ""]
                    if form["op"] == "remove" {
                        try await services.tags.remove(names, from: kind.tagKind, ids: ids, principal: viewer.principal)
                    } else {
                        try await services.tags.add(names, to: kind.tagKind, ids: ids, principal: viewer.principal)
                    }
                } catch let error as AppError {
                    guard let refusal = PartyPages.shown(error) ?? badRequest(error) else { throw error }
                    return try await PartyPages.list(
                        kind, viewer: viewer, filters: try .init([:]), services: services, renderer: renderer, status: refusal.status,
                        problems: refusal.problems)
                }
                return Pages.redirect(back(form["back"], kind: kind))
            }
        }
    }

    /// Applies a card's tag form to records of `kind`; a form that asks nothing changes nothing.
    static func change(_ kind: TagKind, ids: [Int64], form: [String: String], viewer: WebViewer, services: AppServices) async throws {
        switch TagChips.change(form) {
        case .add(let names)?: try await services.tags.add(names, to: kind, ids: ids, principal: viewer.principal)
        case .remove(let name)?: try await services.tags.remove([name], from: kind, ids: ids, principal: viewer.principal)
        case nil: return
        }
    }

    /// The ids of the checked rows (`select_<id>`), at most `TagService.bulkLimit` read.
    static func selected(_ form: [String: String]) -> [Int64] {
        let ids = form.keys.compactMap { key -> Int64? in
            guard key.hasPrefix("select_"), let id = Int64(key.dropFirst("select_".count)), id > 0 else { return nil }
            return id
        }
        return Array(ids.sorted().prefix(TagService.bulkLimit))
    }

    /// The list address the form came from, when it is one of this kind's lists; else the list itself.
    static func back(_ sent: String?, kind: PartyKind) -> String {
        guard let sent, sent == kind.path || sent.hasPrefix(kind.path + "?"), !sent.contains("\n"), !sent.contains("\r") else { return kind.path }
        return sent
    }

    /// A bad request a list shows above itself (too many records selected).
    static func badRequest(_ error: AppError) -> (status: HTTPResponse.Status, problems: [Violation])? {
        guard case .badRequest(let text, let problems) = error else { return nil }
        return (.badRequest, problems.isEmpty ? [Violation(rule: .invalidValue, field: nil, message: .init(ru: text, en: text))] : problems)
    }
}
