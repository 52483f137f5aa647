import ArgumentParser
import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import Foundation

/// `autofunnel import`: deals with their contacts, companies and history from files.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import deals (with contacts, companies and stage history) from a file, amoCRM or Bitrix24.",
        subcommands: [ImportCSV.self, ImportAmoCRM.self, ImportBitrix24.self])
}

/// `autofunnel import csv FILE`.
struct ImportCSV: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csv",
        abstract: "Import deals from a CSV file: Autofunnel's export, amoCRM's or Bitrix24's export, or any file with a mapping.",
        discussion: """
            Without --mapping, Autofunnel's own export and amoCRM's and Bitrix24's exports are read by their headers; \
            anything else needs a mapping: write one with --propose-mapping, fill in every "?" and pass it with --mapping. \
            --notes and --tasks (as `export notes` and `export tasks` write them) are imported after the deals, each row on \
            the deal its deal_id names in the same source.
            """)
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The CSV file (UTF-8 or Windows-1251; comma, semicolon or tab).") var file: String
    @Option(help: "The mapping file (YAML).") var mapping: String?
    @Option(help: "A stage-log file (as `export history` writes it): each new deal's moves are replayed at their times.") var history: String?
    @Option(help: "A notes file (id,deal_id,at,author,text; as `export notes` writes it), imported after the deals.") var notes: String?
    @Option(help: "A tasks file (id,deal_id,title,…,status,done_at,result; as `export tasks` writes it), imported after the deals.")
    var tasks: String?
    @Option(help: "The pipeline of rows that name none.") var pipeline: String?
    @Option(help: "The name the records' ids are kept under (default: the format's, e.g. amocrm).") var source: String?
    @Option(help: "Write every refused row with its reason to this CSV file.") var errors: String?
    @Flag(help: "Print a mapping proposed from the file's header and values, and write nothing.") var proposeMapping = false
    @Flag(help: "Read and check every row, print what would be created, updated and refused, and write nothing.") var dryRun = false
    @Flag(help: "Go on although stages, users or pipelines are not mapped: such rows are refused, such users left empty.")
    var skipUnmapped = false

    @Option(help: "Rows per write transaction (1…10000); a run cut half-way resumes after its last committed batch.")
    var batchSize = 1000

    func validate() throws {
        guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1…10000") }
    }

    func run() async throws {
        do {
            try await importFile()
        } catch let unmapped as ImportService.Unmapped {
            FileHandle.standardError.write(Data((unmapped.description + "\n").utf8))
            throw ExitCode(2)
        } catch let problem as ImportProblem {
            FileHandle.standardError.write(Data("row \(problem.row): \(problem.message)\n".utf8))
            throw ExitCode(2)
        } catch let malformed as DelimitedFile.Malformed {
            FileHandle.standardError.write(Data("The file cannot be read: \(malformed)\n".utf8))
            throw ExitCode(2)
        }
    }

    private func importFile() async throws {
        let url = URL(fileURLWithPath: file)
        try await withServices(database, label: "autofunnel.import") { services in
            let (pipelines, users) = try await services.store.read { s in (try await s.pipelines(), try await s.users()) }
            if proposeMapping {
                var proposed = try ImportMappingFile.propose(file: url, pipelines: pipelines, users: users, pipeline: pipeline)
                if let source { proposed.source = source }
                print(try ImportMappingFile.text(proposed), terminator: "")
                return
            }
            var chosen: ImportMapping
            if let mapping {
                chosen = try ImportMappingFile.parse(try String(contentsOfFile: mapping, encoding: .utf8))
            } else {
                chosen = try ImportMappingFile.propose(file: url, pipelines: pipelines, users: users, pipeline: pipeline, sampleRows: 0)
            }
            if let source { chosen.source = source }
            if let pipeline { chosen.pipeline = pipeline }
            let request = ImportService.Request(
                file: url, mapping: chosen, history: history.map { URL(fileURLWithPath: $0) }, dryRun: dryRun, skipUnmapped: skipUnmapped,
                batchSize: batchSize)
            let bar = ProgressLine()
            let summary = try await services.imports.run(request) { rows in bar.show(rows) }
            bar.finish()
            report(summary)
            var refused = summary.refused
            for (path, kind) in [(notes, "notes"), (tasks, "tasks")] {
                guard let path else { continue }
                let activities = ImportService.ActivityRequest(
                    file: URL(fileURLWithPath: path), mapping: chosen, dryRun: dryRun, pendingDeals: summary.checkedIDs, batchSize: batchSize)
                let bar = ProgressLine()
                let done =
                    kind == "notes"
                    ? try await services.imports.importNotes(activities) { bar.show($0) }
                    : try await services.imports.importTasks(activities) { bar.show($0) }
                bar.finish()
                print(Self.activityLines(done, kind: kind, dryRun: dryRun, errors: errors).joined(separator: "\n"))
                refused += done.refused
            }
            if let errors { try Self.writeErrors(refused, to: errors) }
        }
    }

    func report(_ s: ImportService.Summary) {
        let verb = dryRun ? "would create" : "created"
        let updated = dryRun ? "would update" : "updated"
        var lines = ["\(s.rows) rows (\(s.encoding)): \(verb) \(s.created), \(updated) \(s.updated), refused \(s.refusedRows)"]
        if s.moves > 0 { lines.append("history: \(s.moves) stage changes") }
        if s.resumedAfter > 0 { lines.append("resumed after row \(s.resumedAfter), which an earlier run had committed") }
        for p in s.refused.prefix(20) { lines.append("  row \(p.row)\(p.column.map { ", \($0)" } ?? ""): \(p.message)") }
        if s.refused.count > 20 { lines.append("  … and \(s.refused.count - 20) more\(errors == nil ? " (see --errors)" : "")") }
        print(lines.joined(separator: "\n"))
    }

    /// What a notes or tasks import did, for the report.
    static func activityLines(_ s: ImportService.ActivitySummary, kind: String, dryRun: Bool, errors: String?) -> [String] {
        var lines = [
            "\(kind): \(s.rows) rows: \(dryRun ? "would create" : "created") \(s.created), imported before \(s.unchanged), refused \(s.refusedRows)"
        ]
        for p in s.refused.prefix(20) { lines.append("  row \(p.row)\(p.column.map { ", \($0)" } ?? ""): \(p.message)") }
        if s.refused.count > 20 { lines.append("  … and \(s.refused.count - 20) more\(errors == nil ? " (see --errors)" : "")") }
        return lines
    }

    /// `row,column,reason`, one line per problem (the same file the import API's errors CSV is).
    static func writeErrors(_ problems: [ImportProblem], to path: String) throws {
        try Data(ImportErrorsCSV.text(problems).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
