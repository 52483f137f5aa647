import AutofunnelCore
import AutofunnelStore
import Foundation

extension ImportJobs {
    /// The mapping an upload is imported with: `text` (or the one kept with the upload), else one proposed from the
    /// file's header (with `sampleValues`, from its stage, pipeline and user values too, `?` where none of ours
    /// matches); the upload's source and pipeline, when it names them, over either.
    public func mapping(for upload: ImportUploads.Upload, text: String? = nil, sampleValues: Bool) async throws -> ImportMapping {
        var mapping: ImportMapping
        if let given = (text ?? upload.meta.mapping), !given.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            do {
                mapping = try ImportMappingFile.parse(given)
            } catch let error as AppError {
                throw Self.invalidMapping(Self.describe(error), field: "mapping")
            }
        } else {
            let (pipelines, users) = try await store.read { s in (try await s.pipelines(), try await s.users()) }
            mapping = try Self.reading {
                try ImportMappingFile.propose(
                    file: upload.file, pipelines: pipelines, users: users, pipeline: upload.meta.pipeline, sampleRows: sampleValues ? 100_000 : 0)
            }
        }
        if let source = upload.meta.source { mapping.source = source }
        if let pipeline = upload.meta.pipeline { mapping.pipeline = pipeline }
        return mapping
    }

    /// What the upload would import with `mapping`: the header and the first `rows` rows as they map.
    public func preview(_ upload: ImportUploads.Upload, mapping: ImportMapping, rows limit: Int = 20) async throws -> ImportPreview {
        let (pipelines, users) = try await store.read { s in (try await s.pipelines(), try await s.users()) }
        let table = try Self.reading { try ImportTables.open(upload.file) }
        guard let header = try Self.reading({ try table.next() }) else { throw Self.unreadable("The file is empty: no header row") }
        let reader = try rowReader(header: header.fields, mapping: mapping, pipelines: pipelines, users: users)
        let emails = Dictionary(users.map { ($0.id, $0.email) }, uniquingKeysWith: { a, _ in a })
        var rows: [ImportPreview.Row] = []
        while rows.count < limit, let record = try Self.reading({ try table.next() }) {
            let cells = mapping.source == "autofunnel" ? record.fields.map(CSVText.unguarded) : record.fields
            switch reader.deal(cells, row: record.line) {
            case .success(let deal):
                rows.append(ImportPreview.Row(row: record.line, deal: deal, responsible: deal.responsible.flatMap { emails[$0] }, problems: []))
            case .failure(let problems):
                rows.append(ImportPreview.Row(row: record.line, deal: nil, responsible: nil, problems: problems.all))
            }
        }
        return ImportPreview(
            fileName: upload.meta.fileName, format: table.format, header: header.fields, mapping: mapping,
            mappingText: try ImportMappingFile.text(mapping), unmappedColumns: reader.unmappedColumns, rows: rows)
    }

    /// The reader of the upload's rows with `mapping`; refused when the file or its history cannot be read or the
    /// mapping does not fit the file.
    func rowReader(_ upload: ImportUploads.Upload, mapping: ImportMapping) async throws -> ImportRowReader {
        let (pipelines, users) = try await store.read { s in (try await s.pipelines(), try await s.users()) }
        let header = try Self.reading { try ImportTables.open(upload.file).next() }
        guard let header else { throw Self.unreadable("The file is empty: no header row") }
        if let history = upload.history {
            let columns = try Self.reading { try ImportTables.open(history).next() }?.fields.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
            guard let columns, ["deal_id", "to_stage", "at"].allSatisfy(columns.contains) else {
                throw AppError.refused([
                    Violation(
                        rule: .unreadableFile, field: "history",
                        message: .init(
                            ru: "В файле истории нужны столбцы deal_id, to_stage и at",
                            en: "The history file needs the columns deal_id, to_stage and at"))
                ])
            }
        }
        return try rowReader(header: header.fields, mapping: mapping, pipelines: pipelines, users: users)
    }

    func rowReader(header: [String], mapping: ImportMapping, pipelines: [Pipeline], users: [User]) throws -> ImportRowReader {
        do {
            return try ImportRowReader(header: header, mapping: mapping, pipelines: pipelines, users: users, now: clock.now())
        } catch {
            // Erased first: the initializer throws only ImportProblem, which some compilers infer here and others do not.
            let thrown: any Error = error
            let problem = thrown as? ImportProblem
            throw Self.invalidMapping(problem?.message ?? "\(thrown)", field: problem?.column ?? "mapping")
        }
    }

    /// Runs a read of an import file; what makes it fail is the file's fault: a 422 saying why.
    static func reading<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as AppError {
            throw error
        } catch let problem as ImportProblem {
            throw unreadable(problem.message)
        } catch let malformed as DelimitedFile.Malformed {
            throw unreadable("The file cannot be read: \(malformed)")
        } catch {
            throw unreadable("The file cannot be read: \(error)")
        }
    }

    static func unreadable(_ message: String) -> AppError {
        .refused([Violation(rule: .unreadableFile, field: "file", message: .init(ru: "Файл не читается: \(message)", en: message))])
    }

    static func invalidMapping(_ message: String, field: String) -> AppError {
        .refused([Violation(rule: .invalidMapping, field: field, message: .init(ru: "Сопоставление не подходит: \(message)", en: message))])
    }
}
