import ArgumentParser
import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization

/// `autofunnel bench moves`: N deals of the 002 pipeline moved through every stage over HTTP by C concurrent clients,
/// against the raw rate of writing the same rows straight through the store, on fresh SQLite files.
struct BenchMoves: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "moves", abstract: "HTTP moves vs raw store writes on SQLite.")

    @Option(help: "Deals to create and move.") var deals = 2000
    @Option(help: "Concurrent HTTP clients.") var clients = 16
    @Flag(help: "Apply the 002 preset without its automation rules (API overhead alone, as the raw writes have none).")
    var withoutAutomations = false

    static let path: [StageKey] = [
        "processing_request", "proposal_made", "answer_received", "invoice_sent", "payment_received", "order_shipped", "order_received",
    ]

    func run() async throws {
        let dir = try benchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logger = benchLogger()

        let httpStore = try await Store.open(.sqliteFile(dir.appendingPathComponent("http.sqlite").path), logger: logger, now: AppClock.system.now())
        let services = AppServices(store: httpStore, logger: logger)
        let ids = try await seed(services, count: deals)
        let http = try await runHTTP(services, deals: ids)
        try await httpStore.close()

        let rawStore = try await Store.open(.sqliteFile(dir.appendingPathComponent("raw.sqlite").path), logger: logger, now: AppClock.system.now())
        let rawServices = AppServices(store: rawStore, logger: logger)
        let rawIDs = try await seed(rawServices, count: deals)
        let raw = try await runRaw(rawStore, deals: rawIDs)
        try await rawStore.close()

        let moves = deals * Self.path.count
        print(
            "bench moves: \(deals) deals × \(Self.path.count) moves = \(moves) moves, \(clients) HTTP clients, SQLite file (WAL, synchronous=NORMAL), "
                + (withoutAutomations ? "002 preset without its rules" : "002 preset with its rules (a task per stage, stage timers)"))
        print(String(format: "HTTP API moves:     %8.0f moves/s   p50 %.2f ms   p99 %.2f ms", http.rate, http.p50, http.p99))
        print(String(format: "raw store writes:   %8.0f tx/s      p50 %.2f ms   p99 %.2f ms", raw.rate, raw.p50, raw.p99))
        print(String(format: "ratio HTTP / raw:   %8.1f %%", http.rate / raw.rate * 100))
        print("peak RSS:           \(peakRSSMegabytes()) MB")
    }

    struct Figures {
        var rate: Double
        var p50: Double
        var p99: Double
    }

    /// Creates the deals with every required field filled, through the deal service (not measured).
    func seed(_ services: AppServices, count: Int) async throws -> [DealID] {
        _ = try await services.pipelines.apply(text: try Presets.text("nurturing"))
        var preset = try PipelineService.parse(try Presets.text("sales-002"))
        if withoutAutomations { preset.automations = nil }
        _ = try await services.pipelines.apply(preset)
        let user = try await services.store.write { s in
            try await s.insertUser(email: "bench@example.com", name: "Bench", locale: .en, role: .manager, at: services.clock.now())
        }
        let contact = try await services.parties.createContact(.init(name: "Анна", phones: ["+79120000000"]))
        var ids: [DealID] = []
        for i in 0..<count {
            let input = DealInput(
                title: "Deal \(i)", amount: .init(value: "1000.00", currency: "RUB"), responsible: user.id, headOfSales: user.id, contact: contact.id,
                fields: ["requirements": .string("r"), "subject": .string("s"), "delivery_method": .string("delivery")])
            ids.append(try await services.deals.create(pipeline: "sales", stage: nil, input: input, actor: Actor(kind: .import)).id)
        }
        return ids
    }

    /// Every request is authenticated with a token of the deals' responsible, so the figures include authorization.
    func runHTTP(_ services: AppServices, deals: [DealID]) async throws -> Figures {
        let owner = try await services.store.read { s in try await s.user(email: "bench@example.com") }
        guard let owner else { throw ValidationError("no bench user") }
        let token = try await services.auth.createToken(for: owner.id, name: "bench", scope: .write, by: nil).secret
        let (server, bound) = try await startBenchServer(services)
        let queue = WorkQueue(deals)
        let started = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<clients {
                group.addTask {
                    let client = TestClient(host: "127.0.0.1", port: bound)
                    client.connect()
                    var mine: [Double] = []
                    while let id = await queue.next() {
                        for stage in Self.path {
                            let t = ContinuousClock.now
                            var headers = HTTPFields()
                            headers[.contentType] = "application/json"
                            headers[.authorization] = "Bearer \(token)"
                            let response = try await client.execute(
                                .init(
                                    "/api/v1/deals/\(id)/move", method: .post, headers: headers, body: ByteBuffer(string: #"{"stage":"\#(stage)"}"#)))
                            guard response.status == .ok else {
                                throw ValidationError("move refused: \(response.status) \(String(buffer: response.body ?? ByteBuffer()))")
                            }
                            mine.append(Self.millis(ContinuousClock.now - t))
                        }
                    }
                    try await client.shutdown()
                    return mine
                }
            }
            return try await group.reduce(into: [Double]()) { $0 += $1 }
        }
        let elapsed = Self.millis(ContinuousClock.now - started) / 1000
        server.cancel()
        _ = await server.result
        return Self.figures(latencies, seconds: elapsed)
    }

    /// The same rows a move writes (deal update, stage-log row, timeline row), one transaction each, straight through the store.
    func runRaw(_ store: Store, deals: [DealID]) async throws -> Figures {
        var latencies: [Double] = []
        let started = ContinuousClock.now
        for id in deals {
            var deal = try await store.read { s in try await s.deal(id) }
            for stage in Self.path {
                let t = ContinuousClock.now
                var moved = deal
                moved.stage = stage
                moved.updatedAt = Timestamp(millis: deal.updatedAt.millis + 1)
                let entry = StageLogEntry(entering: moved, from: deal.stage, actor: Actor(kind: .api), cause: "move", at: moved.updatedAt)
                try await store.write { [moved, deal] s in
                    try await s.record(moved, previous: deal, stageLog: entry, actor: entry.actor, at: entry.at)
                }
                deal = moved
                latencies.append(Self.millis(ContinuousClock.now - t))
            }
        }
        return Self.figures(latencies, seconds: Self.millis(ContinuousClock.now - started) / 1000)
    }

    static func millis(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }

    static func figures(_ latencies: [Double], seconds: Double) -> Figures {
        let sorted = latencies.sorted()
        func pct(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        return Figures(rate: Double(sorted.count) / seconds, p50: pct(0.5), p99: pct(0.99))
    }
}

/// Hands out deals to the benchmark's clients.
actor WorkQueue {
    private var items: ArraySlice<DealID>
    init(_ items: [DealID]) { self.items = items[...] }
    func next() -> DealID? { items.popFirst() }
}

/// Peak resident set size of this process (VmHWM), in megabytes.
/// A fresh temporary folder for a benchmark's database files; the caller removes it.
func benchDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("autofunnel-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// The real server on a free loopback port, and that port; cancel the task to stop it.
func startBenchServer(_ services: AppServices) async throws -> (Task<Void, any Error>, Int) {
    let port = Mutex<Int?>(nil)
    let app = try buildApplication(services, host: "127.0.0.1", port: 0) { channel in port.withLock { $0 = channel.localAddress?.port } }
    let server = Task { try await app.runService(gracefulShutdownSignals: []) }
    for _ in 0..<500 {
        try await Task.sleep(for: .milliseconds(10))
        if let bound = port.withLock({ $0 }) { return (server, bound) }
    }
    server.cancel()
    throw ValidationError("the server did not start")
}

/// A logger that keeps benchmark output to the figures.
func benchLogger() -> Logger {
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    return logger
}

func peakRSSMegabytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return -1 }
    return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
}
