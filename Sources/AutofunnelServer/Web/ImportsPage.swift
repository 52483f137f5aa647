import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Foundation
import HTTPTypes
import Hummingbird

/// Imports for admins: upload a file (and a mapping or a stage history), see the proposed mapping and the first rows
/// as they map, check the whole file without writing, run it and watch its progress, then download the refused rows.
/// Every step is a page of its own that works without JavaScript; the job page's script only saves the refreshing.
struct ImportsPage {
    struct Option {
        let value: String
        let label: String
        let selected: Bool
    }
    struct JobRow {
        let id: Int64
        let fileName: String
        let kind: String
        let status: String
        let statusText: String
        let counts: String
        let when: String
    }
    let sources: [Option]
    let pipelines: [Option]
    let jobs: [JobRow]

    /// The sources a file can be said to come from; `auto` leaves it to the header.
    static let sourceKeys = ["auto", "amocrm", "bitrix24", "autofunnel", "csv"]

    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        let uploads = services.importJobs.uploads
        router.get("/imports") { request, context -> Response in
            guard let viewer = try await SettingsPage.admin(request, context, services) else {
                return try await SettingsPage.refuse(request, context, services, renderer)
            }
            return try await show(viewer, services, renderer)
        }
        router.post("/imports") { request, context -> Response in
            guard let viewer = try await SettingsPage.admin(request, context, services) else {
                return try await SettingsPage.refuse(request, context, services, renderer)
            }
            try Pages.refuseForeign(request)
            do {
                if let length = request.headers[.contentLength].flatMap(Int.init), length > uploads.limit {
                    throw AppError.payloadTooLarge(uploads.limit)
                }
                let received = try await UploadForm.read(request, into: try uploads.writer())
                var upload = received.upload
                let fields = received.fields
                guard let sent = fields["_csrf"], Secrets.equal(sent, viewer.csrf) else {
                    uploads.remove(upload.id)
                    throw Pages.csrfRefusal
                }
                if let source = fields["source"], source != "auto", sourceKeys.contains(source) { upload.meta.source = source }
                if let pipeline = fields["pipeline"], !pipeline.isEmpty {
                    guard try await services.store.read({ s in try await s.pipeline(PipelineKey(pipeline)) }) != nil else {
                        uploads.remove(upload.id)
                        throw AppError.refused([
                            Violation(rule: .unknownReference, field: "pipeline", message: .init(ru: "Нет такой воронки", en: "No such pipeline"))
                        ])
                    }
                    upload.meta.pipeline = pipeline
                }
                if let mapping = fields["mapping"], !mapping.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { upload.meta.mapping = mapping }
                try uploads.save(upload)
                return Pages.redirect("/imports/uploads/\(upload.id)")
            } catch AppError.payloadTooLarge(let limit) {
                let text = Localized(ru: "Файл больше \(limit >> 20) МиБ", en: "The upload is larger than \(limit >> 20) MiB")
                return try await show(
                    viewer, services, renderer, status: .contentTooLarge, problems: [Violation(rule: .invalidValue, field: "file", message: text)])
            } catch AppError.refused(let problems) {
                return try await show(viewer, services, renderer, status: .unprocessableContent, problems: problems)
            }
        }
        router.get("/imports/uploads/{id}") { request, context -> Response in
            guard let viewer = try await SettingsPage.admin(request, context, services) else {
                return try await SettingsPage.refuse(request, context, services, renderer)
            }
            guard let upload = uploads.upload(try context.parameters.require("id")) else { return gone(viewer, renderer) }
            return try await PreviewPage.show(upload, viewer: viewer, services: services, renderer: renderer)
        }
        router.post("/imports/uploads/{id}") { request, context -> Response in
            guard let viewer = try await SettingsPage.admin(request, context, services) else {
                return try await SettingsPage.refuse(request, context, services, renderer)
            }
            let form = try await viewer.form(request, limit: ImportUploadWriter.fieldLimit + 64 * 1024)
            guard var upload = uploads.upload(try context.parameters.require("id")) else { return gone(viewer, renderer) }
            if let text = form["mapping"], !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                // The text now says the source and the pipeline the form chose (the proposal wrote them into it).
                upload.meta.mapping = text
                upload.meta.source = nil
                upload.meta.pipeline = nil
                try uploads.save(upload)
            }
            let verb = form["verb"] ?? "preview"
            guard verb == "check" || verb == "run" else { return Pages.redirect("/imports/uploads/\(upload.id)") }
            do {
                let mapping = try await services.importJobs.mapping(for: upload, sampleValues: false)
                let job = try await services.importJobs.start(
                    upload, mapping: mapping, dryRun: verb == "check", skipUnmapped: form["skipUnmapped"] != nil, by: viewer.user.id)
                return Pages.redirect("/imports/jobs/\(job.id)")
            } catch AppError.refused(let problems) {
                return try await PreviewPage.show(
                    upload, viewer: viewer, services: services, renderer: renderer, status: .unprocessableContent, problems: problems)
            }
        }
        router.get("/imports/jobs/{id}") { request, context -> Response in
            guard let viewer = try await SettingsPage.admin(request, context, services) else {
                return try await SettingsPage.refuse(request, context, services, renderer)
            }
            guard let id = Int64(try context.parameters.require("id")), let job = try await services.importJobs.job(id) else {
                throw AppError.notFound("No such import")
            }
            return try await JobPage.show(job, viewer: viewer, services: services, renderer: renderer)
        }
    }

    static func show(
        _ viewer: WebViewer, _ services: AppServices, _ renderer: WebRenderer, status: HTTPResponse.Status = .ok, problems: [Violation] = []
    ) async throws -> Response {
        let pipelines = try await services.store.read { s in try await s.pipelines() }
        let jobs = try await services.importJobs.jobs(limit: 20)
        let page = ImportsPage(
            sources: sourceKeys.map { Option(value: $0, label: viewer.label("importSource.\($0)"), selected: $0 == "auto") },
            pipelines: pipelines.map { Option(value: $0.key.rawValue, label: viewer.text($0.name), selected: false) },
            jobs: jobs.map { job in
                JobRow(
                    id: job.id, fileName: job.fileName, kind: viewer.label(job.dryRun ? "importKind.dry" : "importKind.real"),
                    status: job.status.rawValue, statusText: viewer.label("importStatus.\(job.status.rawValue)"),
                    counts: "\(job.created) / \(job.updated) / \(job.refused)", when: viewer.time(job.createdAt))
            })
        return renderer.page(
            "imports", page, title: viewer.label("importDeals"), viewer: viewer, status: status, problems: problems, errorsID: "import-errors")
    }

    /// The page for an upload this server no longer keeps.
    static func gone(_ viewer: WebViewer, _ renderer: WebRenderer) -> Response {
        renderer.page("message", Web.Message(text: viewer.label("importGone")), title: viewer.label("importDeals"), viewer: viewer, status: .notFound)
    }
}

extension WebViewer {
    /// A label of the pages in the viewer's language.
    func label(_ key: String) -> String { WebText.labels(locale)[key] ?? key }
}
