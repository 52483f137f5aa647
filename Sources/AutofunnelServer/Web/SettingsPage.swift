import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import HTTPTypes
import Hummingbird

/// Settings for admins: the pipelines with their definition files (view, download, upload a new version with a diff
/// preview before it is applied) and the funnel linter's findings.
struct SettingsPage {
    struct Item {
        let key: String
        let name: String
        let stages: Int
    }
    struct Finding {
        let severity: String
        let severityText: String
        let location: String
        let rule: String
        let message: String
        let fix: String
    }
    struct Preview {
        let text: String
        let lines: [LineDiff.Line]
        let changed: Bool
    }
    let pipelines: [Item]
    let key: String?
    let name: String?
    let definition: String?
    let preview: Preview?
    let findings: [Finding]
    let errors: Int
    let warnings: Int
    let notice: String?

    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        router.get("/settings") { request, context -> Response in
            guard let viewer = try await admin(request, context, services) else { return try await refuse(request, context, services, renderer) }
            let page = try await build(nil, viewer: viewer, services: services)
            return renderer.page("settings", page, title: viewer.ru ? "Настройки" : "Settings", viewer: viewer)
        }
        router.get("/settings/lint") { _, _ -> Response in Pages.redirect("/settings#lint") }
        router.get("/settings/pipelines/{key}") { request, context -> Response in
            guard let viewer = try await admin(request, context, services) else { return try await refuse(request, context, services, renderer) }
            let key = PipelineKey(try context.parameters.require("key"))
            let notice = Web.query(request)["applied"] != nil ? (viewer.ru ? "Новая версия применена" : "The new version is applied") : nil
            let page = try await build(key, viewer: viewer, services: services, notice: notice)
            return renderer.page("settings", page, title: page.name ?? key.rawValue, viewer: viewer, pipeline: key, script: "settings.js")
        }
        router.get("/settings/pipelines/{key}/definition.yaml") { request, context -> Response in
            guard try await admin(request, context, services) != nil else { throw AppError.notFound("No such page") }
            let key = PipelineKey(try context.parameters.require("key"))
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"\(key).yaml\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(string: try await services.pipelines.export(key))))
        }
        router.post("/settings/pipelines/{key}/{verb}") { request, context -> Response in
            guard let viewer = try await admin(request, context, services) else { return try await refuse(request, context, services, renderer) }
            let form = try await viewer.form(request)
            let key = PipelineKey(try context.parameters.require("key"))
            let text = form["definition"] ?? ""
            do {
                let definition = try PipelineService.parse(text)
                try PipelineService.checkKey(definition, is: key.rawValue)
                if try context.parameters.require("verb") == "apply" {
                    _ = try await services.pipelines.apply(definition)
                    return Pages.redirect("/settings/pipelines/\(key)?applied=1")
                }
                let page = try await build(key, viewer: viewer, services: services, upload: text)
                return renderer.page("settings", page, title: page.name ?? key.rawValue, viewer: viewer, pipeline: key)
            } catch let error as AppError {
                let problems: [Violation]
                switch error {
                case .refused(let list): problems = list
                case .badRequest(let message, let list):
                    problems = list.isEmpty ? [Violation(rule: .invalidDefinition, message: .init(ru: message, en: message))] : list
                default: throw error
                }
                let page = try await build(key, viewer: viewer, services: services)
                return renderer.page(
                    "settings", page, title: page.name ?? key.rawValue, viewer: viewer, pipeline: key, status: .unprocessableContent,
                    problems: problems, errorsID: "upload-errors")
            }
        }
    }

    static func admin(_ request: Request, _ context: AppRequestContext, _ services: AppServices) async throws -> WebViewer? {
        guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth), viewer.principal.administers else { return nil }
        return viewer
    }

    static func refuse(_ request: Request, _ context: AppRequestContext, _ services: AppServices, _ renderer: WebRenderer) async throws -> Response {
        guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
        return renderer.page(
            "message", Web.Message(text: viewer.ru ? "Нужны права администратора" : "This page is for admins"), title: "Autofunnel", viewer: viewer,
            status: .forbidden)
    }

    static func build(
        _ key: PipelineKey?, viewer: WebViewer, services: AppServices, upload: String? = nil, notice: String? = nil
    ) async throws -> SettingsPage {
        let pipelines = try await services.store.read { s in try await s.pipelines() }
        let current = key.flatMap { k in pipelines.first { $0.key == k } }
        if let key, current == nil { throw AppError.notFound("No pipeline \(key)") }
        let definition = try await key.asyncMap { try await services.pipelines.export($0) }
        let shown: [LintFinding]
        if let upload {
            shown = try await services.lint.lint(definitions: [try PipelineService.parse(upload)])
        } else {
            shown = try await services.lint.lint(stored: key.map { [$0] } ?? [])
        }
        let errors = shown.filter { $0.severity == .error }.count
        return SettingsPage(
            pipelines: pipelines.map { Item(key: $0.key.rawValue, name: viewer.text($0.name), stages: $0.stages.count) },
            key: key?.rawValue, name: current.map { viewer.text($0.name) }, definition: definition,
            preview: upload.map { text in
                let lines = LineDiff.lines(from: definition ?? "", to: text)
                return Preview(text: text, lines: lines, changed: lines.contains { $0.kind != "same" })
            },
            findings: shown.map { f in
                Finding(
                    severity: f.severity.rawValue,
                    severityText: f.severity == .error ? (viewer.ru ? "ошибка" : "error") : (viewer.ru ? "замечание" : "warning"),
                    location: f.location, rule: f.rule + (f.mistake.map { " (000 #\($0))" } ?? ""), message: viewer.text(f.message),
                    fix: viewer.text(f.fix))
            },
            errors: errors, warnings: shown.count - errors, notice: notice)
    }
}
