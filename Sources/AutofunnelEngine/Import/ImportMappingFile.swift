import AutofunnelCore
import Foundation
import Yams

/// The mapping as a YAML file: read with the same bounds as a definition file, written with sorted keys and a
/// comment that says what `?` means.
public enum ImportMappingFile {
    /// The mapping in `text`; a malformed one is a 400 with the reason.
    public static func parse(_ text: String) throws -> ImportMapping {
        do {
            guard let node = try DefinitionYAML.node(text) else { throw AppError.badRequest("The mapping file is empty") }
            return try YAMLDecoder().decode(ImportMapping.self, from: node)
        } catch let error as AppError {
            throw error
        } catch let error as DecodingError {
            throw AppError.badRequest("The mapping file does not match the format: \(DecodingErrorText.describe(error))")
        } catch {
            throw AppError.badRequest("The mapping file cannot be read: \(error)")
        }
    }

    /// The mapping as YAML.
    public static func text(_ mapping: ImportMapping) throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = true
        encoder.options.allowUnicode = true
        encoder.options.width = -1
        return "# Columns: title, amount, stage, field:<key>, ignore, … (see docs/MIGRATING.md). \"?\" is left for you to map.\n"
            + (try encoder.encode(mapping))
    }

    /// A mapping proposed for `file`: its columns from the header, and the stage, pipeline and user values found in
    /// up to `sampleRows` rows, each mapped to ours where a name or key matches and `?` where none does.
    public static func propose(file: URL, pipelines: [Pipeline], users: [User], pipeline: String?, sampleRows: Int = 100_000) throws
        -> ImportMapping
    {
        let reader = try ImportTables.open(file)
        guard let header = try reader.next()?.fields else { throw ImportProblem(row: 1, "The file is empty: no header row") }
        var mapping = ImportMapping.propose(header: header, pipeline: pipeline ?? (pipelines.count == 1 ? pipelines[0].key.rawValue : nil))
        func index(of column: ImportColumn) -> Int? {
            header.firstIndex { mapping.columns[$0].flatMap(ImportColumn.init(name:)) == column }
        }
        let (stageAt, pipelineAt) = (index(of: .stage), index(of: .pipeline))
        let userColumns = [index(of: .responsible), index(of: .headOfSales)].compactMap { $0 }
        var stages: [String: String] = [:]
        var pipelineValues: [String: String] = [:]
        var userValues: [String: String] = [:]
        var read = 0
        while read < sampleRows, let record = try reader.next() {
            read += 1
            func cell(_ i: Int?) -> String? {
                guard let i, i < record.fields.count else { return nil }
                let v = record.fields[i].trimmingCharacters(in: .whitespacesAndNewlines)
                return v.isEmpty ? nil : v
            }
            var target = mapping.pipeline.flatMap { key in pipelines.first { $0.key.rawValue == key } }
            if let p = cell(pipelineAt) {
                let found = pipelines.first {
                    $0.key.rawValue == p || $0.name.ru.lowercased() == p.lowercased() || $0.name.en.lowercased() == p.lowercased()
                }
                pipelineValues[p] = found?.key.rawValue ?? ImportMapping.unmapped
                target = found
            }
            if let s = cell(stageAt), stages[s] == nil || stages[s] == ImportMapping.unmapped {
                let found = (target.map { [$0] } ?? pipelines).lazy.flatMap(\.stages).first {
                    $0.key.rawValue == s || $0.name.ru.lowercased() == s.lowercased() || $0.name.en.lowercased() == s.lowercased()
                }
                stages[s] = found?.key.rawValue ?? ImportMapping.unmapped
            }
            for column in userColumns {
                guard let u = cell(column), userValues[u] == nil else { continue }
                let found = users.first { $0.email.lowercased() == u.lowercased() } ?? users.first { $0.name.lowercased() == u.lowercased() }
                userValues[u] = found?.email ?? ImportMapping.unmapped
            }
        }
        // Values that resolve by themselves need no entry: only those that do not, and names (not keys) that do.
        mapping.stages = stages.isEmpty ? nil : stages.filter { $0.key != $0.value }
        mapping.pipelines = pipelineValues.isEmpty ? nil : pipelineValues.filter { $0.key != $0.value }
        mapping.users = userValues.isEmpty ? nil : userValues.filter { $0.key.lowercased() != $0.value.lowercased() }
        if mapping.stages?.isEmpty == true { mapping.stages = nil }
        if mapping.pipelines?.isEmpty == true { mapping.pipelines = nil }
        if mapping.users?.isEmpty == true { mapping.users = nil }
        return mapping
    }
}
