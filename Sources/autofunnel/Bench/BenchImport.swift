import ArgumentParser
import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import Foundation
import Logging
import Synchronization

/// `autofunnel bench import`: a deals file and its stage history (Autofunnel's own export format, so no mapping) written
/// for N deals, read by our CSV reader and by CSV.swift for comparison, then imported into a fresh database with the
/// history replayed; prints rows per second, stage changes per second and the peak RSS, and checks the counts.
struct BenchImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import N deals with their history from CSV files into a fresh database and print the rate.")

    @Option(help: "Deals to import.") var deals = 100_000
    @Option(help: "The database (default: a fresh SQLite file in the temporary folder). A PostgreSQL database must be empty.")
    var databaseURL: String?
    @Option(help: "Rows per write transaction.") var batch = 1000
    @Flag(help: "Skip the comparison with CSV.swift.") var noCompare = false

    static let stages: [StageKey] = ["new", "qualified", "proposal", "negotiation"]

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("autofunnel-bench-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (dealsFile, historyFile) = (folder.appendingPathComponent("deals.csv"), folder.appendingPathComponent("history.csv"))
        var started = ContinuousClock.now
        let moves = try BenchImportFiles.write(deals: deals, stages: Self.stages, to: dealsFile, history: historyFile)
        say(
            "wrote \(deals) deals and \(moves) stage-log rows (\(Self.megabytes(dealsFile) + Self.megabytes(historyFile)) MB) in \(Self.format(Self.seconds(since: started))) s"
        )
        if !noCompare { try BenchImportFiles.compareReaders(dealsFile) }

        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let location = DatabaseLocation(url: databaseURL ?? "sqlite:" + folder.appendingPathComponent("bench.sqlite").path)
        let store = try await Store.open(location, logger: logger, now: AppClock.system.now())
        let services = AppServices(store: store, logger: logger)
        try await store.closing { store in
            let existing = try await store.read { s in try await s.tableSizes() }
            guard existing.deals == 0 else { throw ValidationError("the database has \(existing.deals) deals: the benchmark needs an empty one") }
            _ = try await services.pipelines.apply(text: Self.definition)
            try await store.write { s in
                for i in 1...4 where try await s.user(email: "bench\(i)@example.com") == nil {
                    _ = try await s.insertUser(email: "bench\(i)@example.com", name: "Менеджер \(i)", locale: .ru, at: AppClock.system.now())
                }
            }
            let (pipelines, users) = try await store.read { s in (try await s.pipelines(), try await s.users()) }
            let mapping = try ImportMappingFile.propose(file: dealsFile, pipelines: pipelines, users: users, pipeline: nil, sampleRows: 0)
            started = ContinuousClock.now
            let (total, step) = (deals, batch)
            let checkedAt = Mutex<ContinuousClock.Instant?>(nil)
            var request = ImportService.Request(file: dealsFile, mapping: mapping, history: historyFile, batchSize: batch)
            request.checked = { _ in checkedAt.withLock { $0 = ContinuousClock.now } }
            let summary = try await services.imports.run(request) { rows in
                if rows % 100_000 < step { FileHandle.standardError.write(Data("imported \(rows) of \(total)\n".utf8)) }
            }
            let elapsed = Self.seconds(since: started)
            let dryPass = checkedAt.withLock { $0 }.map { Self.seconds($0 - started) } ?? 0
            let (dealCount, logCount) = try await store.read { s in try await s.tableSizes() }
            say("database: \(databaseURL ?? "a fresh SQLite file")")
            say(
                "imported \(summary.created) deals (\(summary.refused.count) refused) with \(summary.moves) history rows in \(Self.format(elapsed)) s"
            )
            say("rate: \(Int(Double(summary.created) / elapsed)) deals/s with their history, \(Int(Double(logCount) / elapsed)) stage-log rows/s")
            say("of which: the dry pass (rows checked, history indexed) \(Self.format(dryPass)) s, writing \(Self.format(elapsed - dryPass)) s")
            say("peak RSS: \(peakRSSMegabytes()) MB")
            let expected = deals + moves - deals
            let stale = try await store.read { s in try await s.staleEnteredMasks() }
            say(
                "check: \(dealCount) deals (expected \(deals)), \(logCount) stage-log rows (expected \(expected)), "
                    + "\(stale) entered-stage masks unlike the log's: "
                    + (dealCount == deals && logCount == expected && stale == 0 ? "identical" : "DIFFERENT"))
        }
    }

    static func seconds(since t: ContinuousClock.Instant) -> Double { seconds(ContinuousClock.now - t) }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    static func format(_ seconds: Double) -> String { String(format: "%.1f", seconds) }

    static func megabytes(_ url: URL) -> Int {
        Int(((try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0) / 1_048_576)
    }

    /// A pipeline with four open stages, won and lost, and no required fields: the figures measure the import.
    static let definition = """
        key: bench
        name: {ru: Импорт, en: Import}
        stages:
        - {key: new, name: {ru: Новая, en: New}, kind: conversion}
        - {key: qualified, name: {ru: Квалифицирована, en: Qualified}, kind: conversion}
        - {key: proposal, name: {ru: Предложение, en: Proposal}, kind: conversion}
        - {key: negotiation, name: {ru: Переговоры, en: Negotiation}, kind: conversion}
        - {key: won, name: {ru: Успешно, en: Won}, kind: conversion, outcome: won}
        - {key: lost, name: {ru: Отказ, en: Lost}, kind: conversion, outcome: lost}
        """
}
