import ArgumentParser
import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import Foundation
import Logging

/// `autofunnel bench reports`: every report over a generated history, against the hand-written baseline SQL for the
/// conversion report on the same database file, in one run.
struct BenchReports: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reports", abstract: "Report times on a generated history (SQLite file).")

    @Option(help: "Leads to generate when the file is new.") var deals = 1_000_000
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "The SQLite file; generated when it does not exist (kept for the next run).") var file = "autofunnel-data/bench-reports.sqlite"
    @Option(help: "Runs of each report; the best is printed.") var runs = 3

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let fresh = !FileManager.default.fileExists(atPath: file)
        let store = try await Store.open(.sqliteFile(file), logger: logger, now: AppClock.system.now())
        let services = AppServices(store: store, logger: logger)
        do {
            if fresh {
                let started = ContinuousClock.now
                let summary = try await HistoryGenerator(services: services).run(deals: deals, seed: seed) { done, total in
                    if done % 100_000 == 0 || done == total { FileHandle.standardError.write(Data("generated \(done) of \(total) leads\n".utf8)) }
                }
                say("generated \(summary.deals) deals, \(summary.transitions) stage-log rows in \(Self.seconds(ContinuousClock.now - started)) s")
            }
            let (dealCount, logCount) = try await store.read { s in try await s.tableSizes() }
            say("database: \(file), \(dealCount) deals, \(logCount) stage-log rows")
            let scope = ReportScope(pipeline: "sales", from: Timestamp(millis: 0), to: HistoryGenerator.end)
            let reports = services.reports
            let pipeline = try await store.read { s in try await s.requirePipeline("sales") }
            let baseline = try await best { _ = try await store.read { s in try await s.baselineReachCounts(pipeline: pipeline) } }
            let conversion = try await best { _ = try await reports.conversion(scope) }
            say(Self.line("baseline SQL (reach only)", baseline))
            say(Self.line("conversion report", conversion) + String(format: "   %.2f× the baseline", conversion / baseline))
            // The report must count what the hand-written SQL counts, straight from the log.
            let byFurthest = try await store.read { s in try await s.baselineReachCounts(pipeline: pipeline) }
            let reached = (0..<pipeline.openStages.count + 1).map { i in byFurthest.filter { $0.key >= i }.values.reduce(0, +) }
            let agrees = try await reports.conversion(scope).steps.map(\.reached) == reached
            say("reached per stage, report vs hand-written SQL: " + (agrees ? "identical" : "DIFFERENT"))
            let lineage = ReportScope(pipeline: "qualification", from: scope.from, to: scope.to)
            for (name, body) in [
                ("loss reasons", { _ = try await reports.losses(scope) }), ("revenue per month", { _ = try await reports.revenue(scope) }),
                ("per manager", { _ = try await reports.managers(scope) }), ("time in stage", { _ = try await reports.stageTimes(scope) }),
                ("cohorts by month", { _ = try await reports.cohorts(scope, period: .month) }),
                ("forecast", { _ = try await reports.forecast(scope) }),
                ("lineage qualification → sales", { _ = try await reports.lineage(lineage, then: ["sales"]) }),
            ] as [(String, () async throws -> Void)] {
                say(Self.line(name, try await best(body)))
            }
            say("peak RSS: \(peakRSSMegabytes()) MB")
            try await store.close()
        } catch {
            try? await store.close()
            throw error
        }
    }

    func best(_ body: () async throws -> Void) async throws -> Double {
        var times: [Double] = []
        for _ in 0..<max(runs, 1) {
            let started = ContinuousClock.now
            try await body()
            times.append(Self.seconds(ContinuousClock.now - started) * 1000)
        }
        return times.min()!
    }

    static func line(_ name: String, _ millis: Double) -> String {
        name.padding(toLength: 32, withPad: " ", startingAt: 0) + String(format: "%9.1f ms", millis)
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
}

/// Prints a line at once (not buffered), so that a long benchmark shows its figures as it goes.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
