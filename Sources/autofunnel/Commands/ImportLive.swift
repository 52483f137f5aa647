import ArgumentParser
import AutofunnelCore
import AutofunnelEngine
import Foundation

/// The options both live imports take.
struct LiveImportOptions: ParsableArguments {
    @Option(help: "The work folder: fetched pages and the files written from them (default: ./autofunnel-import/<source>-<id>).")
    var work: String?
    @Flag(help: "Fetch and check, print what would be created, updated and refused, and write nothing to the database.") var dryRun = false
    @Flag(help: "Go on although users or stages are not mapped: such deals are refused, such users left empty.") var skipUnmapped = false
    @Option(help: "Write every refused row with its reason to this CSV file.") var errors: String?
}

/// `autofunnel import amocrm --url URL --token T`.
struct ImportAmoCRM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amocrm",
        abstract: "Import pipelines, deals, contacts, companies, stage history, notes and tasks from an amoCRM (Kommo) account through API v4.",
        discussion: """
            Pages are fetched into the work folder (at most 7 requests a second; a rate-limited request is retried): a run \
            cut half-way fetches only what it lacks. Running again updates what the last run made and duplicates nothing.
            """)
    @OptionGroup var database: DatabaseOptions
    @Option(help: "The account's address, e.g. https://example.amocrm.ru.") var url: String
    @Option(help: "A long-lived token of the account.") var token: String
    @OptionGroup var live: LiveImportOptions

    func run() async throws {
        let source = try LiveImportCommand.source { try AmoCRMSource(url: url, token: token) }
        try await LiveImportCommand.run(.amoCRM(source), database: database, options: live)
    }
}

/// `autofunnel import bitrix24 --webhook URL`.
struct ImportBitrix24: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bitrix24",
        abstract:
            "Import pipelines, deals, contacts, companies, stage history, activities (as notes) and tasks from a Bitrix24 portal through an inbound webhook.",
        discussion: """
            Pages are fetched into the work folder (2 requests a second, 50 pages per batch; a rate-limited request is \
            retried): a run cut half-way fetches only what it lacks. Running again updates and duplicates nothing.
            """)
    @OptionGroup var database: DatabaseOptions
    @Option(help: "The inbound webhook's address, e.g. https://example.bitrix24.ru/rest/1/KEY/.") var webhook: String
    @OptionGroup var live: LiveImportOptions

    func run() async throws {
        let source = try LiveImportCommand.source { try Bitrix24Source(webhook: webhook) }
        try await LiveImportCommand.run(.bitrix24(source), database: database, options: live)
    }
}

/// What both live import commands do.
enum LiveImportCommand {
    /// The source, or the reason it cannot be used as a validation error.
    static func source<T>(_ make: () throws -> T) throws -> T {
        do { return try make() } catch let error as LiveImportError { throw ValidationError(error.description) }
    }

    static func run(_ source: LiveImport.Source, database: DatabaseOptions, options: LiveImportOptions) async throws {
        let folder = options.work.map { URL(fileURLWithPath: $0) } ?? LiveImport.defaultFolder(source: source.name, address: source.shownAddress)
        try await withServices(database, label: "autofunnel.import") { services in
            let live = LiveImport(imports: services.imports, pipelines: services.pipelines)
            let started = ContinuousClock.now
            let result: LiveImport.Result
            do {
                result = try await live.run(source, options: .init(folder: folder, dryRun: options.dryRun, skipUnmapped: options.skipUnmapped)) {
                    FileHandleOutput.standardError("\(source.name): \($0)…")
                }
            } catch let error as LiveImportError {
                FileHandleOutput.standardError("The import stopped: \(error.description)")
                throw ExitCode(1)
            } catch let unmapped as ImportService.Unmapped {
                FileHandleOutput.standardError(unmapped.description)
                throw ExitCode(2)
            } catch let problem as ImportProblem {
                FileHandleOutput.standardError("row \(problem.row): \(problem.message)")
                throw ExitCode(2)
            }
            report(result, source: source, folder: folder, dryRun: options.dryRun, seconds: ContinuousClock.now - started)
            if let errors = options.errors {
                try ImportCSV.writeErrors((result.summary?.refused ?? []) + (result.notes?.refused ?? []) + (result.tasks?.refused ?? []), to: errors)
            }
        }
    }

    static func report(_ r: LiveImport.Result, source: LiveImport.Source, folder: URL, dryRun: Bool, seconds: Duration) {
        let c = r.counts
        var lines = [
            "\(source.name) \(source.shownAddress): \(r.requests) requests (\(r.retries) retried), \(r.cachedPages) pages from \(folder.path), in \(seconds.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))",
            "read \(c.deals) deals, \(c.moves) stage changes, \(c.contacts) contacts, \(c.companies) companies, \(c.notes) notes (\(c.skippedNotes) "
                + "left out: other kinds or on no deal read), \(c.tasks) tasks (\(c.skippedTasks) left out: on no deal read)",
        ]
        if !r.pipelinesCreated.isEmpty {
            lines.append("\(dryRun ? "would create" : "created") pipelines: \(r.pipelinesCreated.joined(separator: ", "))")
        }
        if let s = r.summary {
            let (made, updated) = dryRun ? ("would create", "would update") : ("created", "updated")
            lines.append("deals: \(made) \(s.created), \(updated) \(s.updated), refused \(s.refusedRows); history file: \(s.moves) stage-log rows")
            if s.resumedAfter > 0 { lines.append("resumed after row \(s.resumedAfter), which an earlier run had committed") }
            for p in s.refused.prefix(20) { lines.append("  row \(p.row)\(p.column.map { ", \($0)" } ?? ""): \(p.message)") }
            if s.refused.count > 20 { lines.append("  … and \(s.refused.count - 20) more (see --errors)") }
        } else if dryRun {
            lines.append("rows are checked once the pipelines exist: run without --dry-run to create them and import")
        }
        for (summary, kind) in [(r.notes, "notes"), (r.tasks, "tasks")] {
            guard let summary else { continue }
            lines += ImportCSV.activityLines(summary, kind: kind, dryRun: dryRun, errors: "")
        }
        if !dryRun { lines.append("contacts created \(r.contactsCreated) and companies created \(r.companiesCreated) besides the deals'") }
        for p in r.refusedParties.prefix(20) { lines.append("  refused \(p)") }
        print(lines.joined(separator: "\n"))
    }
}
