import ArgumentParser
import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import Foundation
import Logging

/// `autofunnel bench timers`: a million pending timers, a hundred thousand of them due, fired with their effects
/// (a move, so a stage-log row, and a task) by the scheduler; then the scheduler left idle with the rest pending.
struct BenchTimers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "timers", abstract: "Durable timers: fired per second, lateness, idle CPU.")

    @Option(help: "Timers pending in all.") var pending = 1_000_000
    @Option(help: "Of those, due now (each has a deal).") var due = 100_000
    @Option(help: "Seconds to watch the idle scheduler.") var idleSeconds = 60

    func run() async throws {
        let dir = try benchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logger = benchLogger()
        let store = try await Store.open(.sqliteFile(dir.appendingPathComponent("timers.sqlite").path), logger: logger, now: AppClock.system.now())
        let services = AppServices(store: store, logger: logger)
        try await store.closing { _ in
            let rule = AutomationSpec(
                key: "wake", trigger: .init(on: "time_in_stage", stage: "waiting", after: "1d"),
                actions: [.init(do: "move", stage: "awake"), .init(do: "create_task", title: "Позвонить {{deal.title}}", due: "1d")])
            _ = try await services.pipelines.apply(
                PipelineDefinition(
                    key: "bench", name: .init(ru: "Бенчмарк", en: "Bench"),
                    stages: [
                        .init(key: "waiting", name: .init(ru: "Ждёт", en: "Waiting"), kind: .process),
                        .init(key: "awake", name: .init(ru: "Проснулась", en: "Awake"), kind: .process),
                        .init(key: "won", name: .init(ru: "Успех", en: "Won"), kind: .conversion, outcome: .won),
                        .init(key: "lost", name: .init(ru: "Отказ", en: "Lost"), kind: .conversion, outcome: .lost),
                    ], automations: [rule]))
            let start = services.clock.now()
            let loadStarted = ContinuousClock.now
            var dealIDs: [DealID] = []
            for chunk in stride(from: 0, to: due, by: 10_000) {
                let deals = (chunk..<min(chunk + 10_000, due)).map {
                    Deal(
                        id: DealID(0), lineage: LineageID("bench-\($0)"), pipeline: "bench", stage: "waiting", title: "Сделка \($0)", createdAt: start
                    )
                }
                dealIDs += try await store.write { s in try await s.bulkInsertDeals(deals).map(\.id) }
            }
            for chunk in stride(from: 0, to: pending, by: 50_000) {
                let rows = (chunk..<min(chunk + 50_000, pending)).map { i in
                    i < due
                        ? (deal: dealIDs[i], stage: StageKey("waiting"), rule: "wake", dueAt: start.adding(millis: -1))
                        : (
                            deal: DealID(Int64(10_000_000 + i)), stage: StageKey("waiting"), rule: "wake",
                            dueAt: start.adding(millis: 30 * 86_400_000)
                        )
                }
                try await store.write { s in try await s.bulkInsertTimers(rows, at: start) }
            }
            print("bench timers: \(pending) pending, \(due) due, SQLite file (WAL); loaded in \(Int(seconds(since: loadStarted))) s")

            let scheduler = AutomationScheduler(services: services, owner: "bench")
            var lateness: [Int64] = []
            lateness.reserveCapacity(due)
            let fireStarted = ContinuousClock.now
            while true {
                let fired = try await scheduler.fireDue(batch: 500)
                if fired == 0 { break }
                let late = services.clock.now().millis - start.millis
                lateness += Array(repeating: late, count: fired)
            }
            let elapsed = seconds(since: fireStarted)
            lateness.sort()
            let counts = try await store.read { s in
                (
                    try await s.tasks(TaskFilter(), limit: 1).count, try await s.tableSizes().stageLog,
                    try await s.timerCounts(now: services.clock.now())
                )
            }
            print(
                String(format: "fired:              %8d timers in %.1f s = %.0f fired/s", lateness.count, elapsed, Double(lateness.count) / elapsed))
            print("lateness:           p50 \(percentile(lateness, 0.5)) ms   p99 \(percentile(lateness, 0.99)) ms (from the due time)")
            print("effects:            \(counts.1) stage-log rows, tasks written: \(counts.0 > 0 ? "yes" : "no"); still pending: \(counts.2.pending)")

            let cpuBefore = cpuSeconds()
            let idle = Task { try await scheduler.run() }
            try await Task.sleep(for: .seconds(idleSeconds))
            idle.cancel()
            let cpu = cpuSeconds() - cpuBefore
            print(
                String(
                    format: "idle CPU:           %.2f %% of one core over %d s with %d timers pending", cpu / Double(idleSeconds) * 100, idleSeconds,
                    counts.2.pending))
            print("peak RSS:           \(peakRSSMegabytes()) MB")
        }
    }

    func seconds(since t: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - t
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    func percentile(_ sorted: [Int64], _ p: Double) -> Int64 {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    /// User plus system CPU time of this process.
    func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
