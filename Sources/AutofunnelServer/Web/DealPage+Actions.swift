import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Hummingbird

extension DealPage {
    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        router.get("/deals/{id}") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            let id = try dealID(context)
            return try await show(id, viewer: viewer, services: services, renderer: renderer)
        }
        // Each action: the service call, then back to the card; a refusal shows the card again with the reasons.
        action(router, "edit", services: services, renderer: renderer) { id, form, viewer in
            let catalog = try await services.store.read { s in try await s.fieldCatalog() }
            _ = try await services.deals.update(
                id, input: dealInput(form, catalog: catalog, viewer: viewer), actor: viewer.principal.actor, principal: viewer.principal)
        }
        action(router, "move", services: services, renderer: renderer) { id, form, viewer in
            _ = try await services.deals.move(
                id, to: StageKey(form["stage"] ?? ""), actor: viewer.principal.actor, principal: viewer.principal)
        }
        action(router, "close", services: services, renderer: renderer) { id, form, viewer in
            let won = form["result"] == "won"
            let comment = form["comment"]?.trimmed
            _ = try await services.deals.close(
                id, won: won, reason: won ? nil : form["reason"].map(StageKey.init(rawValue:)), comment: comment?.isEmpty == false ? comment : nil,
                actor: viewer.principal.actor, principal: viewer.principal)
        }
        action(router, "reopen", services: services, renderer: renderer) { id, form, viewer in
            _ = try await services.deals.reopen(
                id, reason: form["reason"] ?? "", stage: nil, actor: viewer.principal.actor, principal: viewer.principal)
        }
        action(router, "copy", services: services, renderer: renderer) { id, form, viewer in
            _ = try await services.deals.copy(
                id, to: PipelineKey(form["pipeline"] ?? ""), stage: nil, actor: viewer.principal.actor, principal: viewer.principal)
        }
        action(router, "tasks", services: services, renderer: renderer) { id, form, viewer in
            let days = try Web.integer(form["days"], "days", in: 0...3650, default: 1)
            let due = try viewer.moment(form["due"], field: "due") ?? services.clock.now().adding(days: Int64(days))
            _ = try await services.deals.createTask(
                deal: id, title: form["title"] ?? "", text: nil, dueAt: due, assignee: nil, principal: viewer.principal,
                kind: DealTask.Kind(rawValue: form["kind"] ?? "") ?? .task)
        }
        action(router, "notes", services: services, renderer: renderer) { id, form, viewer in
            _ = try await services.notes.add(to: .deal(id), text: form["text"] ?? "", principal: viewer.principal)
        }
        action(router, "tags", services: services, renderer: renderer) { id, form, viewer in
            try await TagPages.change(.deal, ids: [id.rawValue], form: form, viewer: viewer, services: services)
        }
        router.post("/deals/{id}/fill") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            let form = try await viewer.form(request)
            try await fill(try dealID(context), form: form, viewer: viewer, services: services)
            return Response(status: .noContent)
        }
        router.post("/tasks/{id}/{verb}") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            let form = try await viewer.form(request)
            guard let raw = Int64(try context.parameters.require("id")) else { throw AppError.notFound("No such task") }
            let id = TaskID(raw)
            let task = try await services.store.read { s in try await s.task(id) }
            let back = form["back"] == "tasks" ? "/tasks" + (form["query"].flatMap(TasksPage.query) ?? "") : "/deals/\(task.deal)"
            do {
                switch try context.parameters.require("verb") {
                case "complete": _ = try await services.deals.completeTask(id, principal: viewer.principal)
                case "postpone":
                    if let until = try viewer.moment(form["until"], field: "until") {
                        _ = try await services.deals.rescheduleTask(id, to: until, principal: viewer.principal)
                    } else {
                        _ = try await services.deals.postponeTask(
                            id, days: try Web.integer(form["days"], "days", in: 1...365, default: 1), principal: viewer.principal)
                    }
                default: throw AppError.notFound("No such action")
                }
            } catch AppError.refused(let problems) {
                return try await show(task.deal, viewer: viewer, services: services, renderer: renderer, problems: problems)
            }
            return Pages.redirect(back)
        }
    }

    static func dealID(_ context: AppRequestContext) throws -> DealID {
        guard let raw = Int64(try context.parameters.require("id")) else { throw AppError.notFound("No such deal") }
        return DealID(raw)
    }

    static func show(
        _ id: DealID, viewer: WebViewer, services: AppServices, renderer: WebRenderer, problems: [Violation] = []
    ) async throws -> Response {
        let page = try await load(id, viewer: viewer, services: services)
        return renderer.page(
            "deal", page, title: page.title, viewer: viewer, pipeline: PipelineKey(page.pipelineKey),
            status: problems.isEmpty ? .ok : .unprocessableContent, problems: problems, errorsID: "deal-errors")
    }

    static func action(
        _ router: RouterGroup<AppRequestContext>, _ verb: String, services: AppServices, renderer: WebRenderer,
        _ body: @escaping @Sendable (DealID, [String: String], WebViewer) async throws -> Void
    ) {
        router.post("/deals/{id}/\(verb)") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            let form = try await viewer.form(request)
            let id = try dealID(context)
            do {
                try await body(id, form, viewer)
            } catch AppError.refused(let problems) {
                return try await show(id, viewer: viewer, services: services, renderer: renderer, problems: problems)
            } catch AppError.forbidden(let problems) {
                return try await show(id, viewer: viewer, services: services, renderer: renderer, problems: problems)
            }
            return Pages.redirect("/deals/\(id)")
        }
    }

    /// The card's form as a deal change: only the fields the viewer may write are sent.
    static func dealInput(_ form: [String: String], catalog: FieldCatalog, viewer: WebViewer) -> DealInput {
        var input = DealInput()
        input.title = form["title"]
        if let amount = form["amount"]?.trimmed, !amount.isEmpty {
            input.amount = .init(value: amount.replacingOccurrences(of: ",", with: "."), currency: (form["currency"] ?? "").trimmed.uppercased())
        }
        if let source = form["source"] { input.source = source.trimmed.isEmpty ? nil : source.trimmed }
        var fields: [String: JSONValue] = [:]
        for (name, text) in form where name.hasPrefix("f.") {
            let key = FieldKey(String(name.dropFirst(2)))
            guard let definition = catalog.definition(.deal, key), viewer.principal.access(.deal, key.rawValue, definition: definition) == .write
            else { continue }
            fields[key.rawValue] = FieldInput.value(text, definition: definition, zone: viewer.zone)
        }
        if !fields.isEmpty { input.fields = fields }
        return input
    }
}
