import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Foundation
import OpenAPIRuntime

/// Imports of uploaded files (admins): the upload is read as it arrives into an import upload, checked, and run in the
/// background as a job the caller polls.
extension APIHandler {
    func listImports(_ input: Operations.listImports.Input) async throws -> Operations.listImports.Output {
        _ = try requireAdmin()
        let jobs = try await services.importJobs.jobs(limit: 50)
        return .ok(.init(body: .json(.init(items: jobs.map(Self.schema)))))
    }

    func createImport(_ input: Operations.createImport.Input) async throws -> Operations.createImport.Output {
        let principal = try requireAdmin()
        let (upload, form) = try await received(input.body)
        do {
            let mapping = try await services.importJobs.mapping(for: upload, sampleValues: false)
            let job = try await services.importJobs.start(
                upload, mapping: mapping, dryRun: form.dryRun, skipUnmapped: form.skipUnmapped, by: principal.user.id)
            return .accepted(.init(headers: .init(Location: "/api/v1/imports/\(job.id)"), body: .json(Self.schema(job))))
        } catch {
            services.importJobs.uploads.remove(upload.id)
            throw error
        }
    }

    func previewImport(_ input: Operations.previewImport.Input) async throws -> Operations.previewImport.Output {
        _ = try requireAdmin()
        let (upload, _) = try await received(input.body)
        defer { services.importJobs.uploads.remove(upload.id) }
        let mapping = try await services.importJobs.mapping(for: upload, sampleValues: true)
        let preview = try await services.importJobs.preview(upload, mapping: mapping)
        return .ok(.init(body: .json(Self.schema(preview, text: upload.meta.mapping))))
    }

    func getImport(_ input: Operations.getImport.Input) async throws -> Operations.getImport.Output {
        _ = try requireAdmin()
        guard let job = try await services.importJobs.job(input.path.id) else { throw AppError.notFound("No import with id \(input.path.id)") }
        return .ok(.init(body: .json(Self.schema(job))))
    }

    func getImportErrors(_ input: Operations.getImportErrors.Input) async throws -> Operations.getImportErrors.Output {
        _ = try requireAdmin()
        guard try await services.importJobs.job(input.path.id) != nil else { throw AppError.notFound("No import with id \(input.path.id)") }
        let problems = try await services.importJobs.problems(input.path.id)
        return .ok(.init(body: .csv(HTTPBody(ImportErrorsCSV.text(problems)))))
    }

    /// The flags of an upload form.
    struct ImportForm {
        var dryRun = false
        var skipUnmapped = false
    }

    /// Reads the upload as it arrives: the files into an import upload (up to its limit), the fields as text. A body
    /// that is not the form the spec describes is a 400; the upload is then removed.
    func received(_ body: Components.RequestBodies.ImportUpload) async throws -> (ImportUploads.Upload, ImportForm) {
        guard case .multipartForm(let parts) = body else { throw AppError.badRequest("Send the upload as multipart/form-data") }
        let writer = try services.importJobs.uploads.writer()
        var form = ImportForm()
        var fields: [String: String] = [:]
        do {
            for try await part in parts {
                switch part {
                case .file(let p): try await write(p.payload.body, as: "file", fileName: p.filename, to: writer)
                case .history(let p): try await write(p.payload.body, as: "history", fileName: p.filename, to: writer)
                case .mapping(let p): fields["mapping"] = try await text(p.payload.body, field: "mapping", limit: ImportUploadWriter.fieldLimit)
                case .source(let p): fields["source"] = try await text(p.payload.body, field: "source", limit: 256)
                case .pipeline(let p): fields["pipeline"] = try await text(p.payload.body, field: "pipeline", limit: 256)
                case .dryRun(let p): form.dryRun = try await flag(p.payload.body, field: "dryRun")
                case .skipUnmapped(let p): form.skipUnmapped = try await flag(p.payload.body, field: "skipUnmapped")
                }
            }
        } catch let error as AppError {
            writer.discard()
            throw error
        } catch {
            writer.discard()
            throw AppError.badRequest("The upload is not the multipart/form-data the spec describes: \(error)")
        }
        var (upload, _) = try writer.finish()
        do {
            upload.meta.mapping = fields["mapping"].flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
            if let source = fields["source"] {
                guard source.range(of: #"^[a-z][a-z0-9_-]{0,39}$"#, options: .regularExpression) != nil else {
                    throw AppError.invalidParameter("source", ru: "source — латинские буквы, цифры, _ и -", en: "source must be a-z, 0-9, _ and -")
                }
                upload.meta.source = source
            }
            if let pipeline = fields["pipeline"] {
                guard try await store.read({ s in try await s.pipeline(PipelineKey(pipeline)) }) != nil else {
                    throw AppError.refused([
                        Violation(
                            rule: .unknownReference, field: "pipeline", message: .init(ru: "Нет воронки \(pipeline)", en: "No pipeline '\(pipeline)'")
                        )
                    ])
                }
                upload.meta.pipeline = pipeline
            }
            try services.importJobs.uploads.save(upload)
        } catch {
            services.importJobs.uploads.remove(upload.id)
            throw error
        }
        return (upload, form)
    }

    private func write(_ body: HTTPBody, as name: String, fileName: String?, to writer: ImportUploadWriter) async throws {
        try writer.begin(name: name, fileName: fileName)
        for try await chunk in body { try chunk.withUnsafeBytes { try writer.append($0) } }
        try writer.end()
    }

    private func text(_ body: HTTPBody, field: String, limit: Int) async throws -> String {
        var bytes: [UInt8] = []
        for try await chunk in body {
            guard bytes.count + chunk.count <= limit else {
                throw AppError.invalidParameter(field, ru: "\(field) длиннее \(limit) байт", en: "\(field) is longer than \(limit) bytes")
            }
            bytes += chunk
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func flag(_ body: HTTPBody, field: String) async throws -> Bool {
        switch try await text(body, field: field, limit: 16).trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
        case "true", "1", "on", "yes": return true
        case "false", "0", "off", "no", "": return false
        default: throw AppError.invalidParameter(field, ru: "\(field) — true или false", en: "\(field) must be true or false")
        }
    }

    static func schema(_ job: ImportJob) -> Components.Schemas.ImportJob {
        .init(
            id: job.id, status: .init(rawValue: job.status.rawValue)!, dryRun: job.dryRun, skipUnmapped: job.skipUnmapped, fileName: job.fileName,
            source: job.source, rows: job.rows, total: job.total, created: job.created, updated: job.updated, refused: job.refused,
            moves: job.moves, resumedAfter: job.resumedAfter, message: job.message, createdAt: SchemaMapping.date(job.createdAt),
            startedAt: job.startedAt.map(SchemaMapping.date), finishedAt: job.finishedAt.map(SchemaMapping.date))
    }

    static func schema(_ preview: ImportPreview, text: String?) -> Components.Schemas.ImportPreview {
        .init(
            fileName: preview.fileName, format: preview.format, header: preview.header, mapping: text ?? preview.mappingText,
            unmappedColumns: preview.unmappedColumns,
            rows: preview.rows.map { r in
                let d = r.deal
                return .init(
                    row: r.row, id: d?.externalID, title: d?.title, pipeline: d?.pipeline.rawValue, stage: d?.stage.rawValue,
                    amount: d?.amount?.decimalText, currency: d?.amount?.currency.code, responsible: r.responsible, contact: d?.contact?.name,
                    company: d?.company?.name, createdAt: d.map { SchemaMapping.date($0.createdAt) },
                    problems: r.problems.map { .init(row: $0.row, column: $0.column, message: $0.message) })
            })
    }
}
