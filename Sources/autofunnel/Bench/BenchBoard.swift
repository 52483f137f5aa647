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

/// `autofunnel bench board`: the board page of a pipeline with N open deals (the 002 pipeline, deals spread over its
/// open stages, contacts, open tasks), requested over HTTP with a session cookie the way a browser does.
struct BenchBoard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "board", abstract: "Board page times with many open deals (SQLite file).")

    @Option(help: "Open deals in the pipeline.") var deals = 100_000
    @Option(help: "Requests per case.") var requests = 200
    @Option(help: "Keep the SQLite file here (seeded when it does not exist) instead of a temporary one.") var file: String?

    func run() async throws {
        let dir = try benchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = file ?? dir.appendingPathComponent("board.sqlite").path
        let fresh = !FileManager.default.fileExists(atPath: path)
        let store = try await Store.open(.sqliteFile(path), logger: benchLogger(), now: AppClock.system.now())
        let services = AppServices(store: store, logger: benchLogger())
        do {
            let started = ContinuousClock.now
            let (admin, manager) = fresh ? try await seed(services) : try await users(services)
            let seconds = BenchMoves.millis(ContinuousClock.now - started) / 1000
            if fresh { say("seeded \(deals) open deals, \(deals / 2) open tasks, 2,000 contacts in \(String(format: "%.1f", seconds)) s") }
            try await measure(services, admin: admin, manager: manager)
            try await store.close()
        } catch {
            try? await store.close()
            throw error
        }
    }

    static let password = "Bench-board-password-1"

    func seed(_ services: AppServices) async throws -> (User, User) {
        _ = try await services.pipelines.apply(text: try Presets.text("nurturing"))
        _ = try await services.pipelines.apply(text: try Presets.text("sales-002"))
        let admin = try await services.auth.createUser(
            .init(email: "admin@bench.test", name: "Admin", role: .admin, password: Self.password), by: nil)
        var managers: [User] = []
        for i in 0..<10 {
            managers.append(
                try await services.auth.createUser(
                    .init(email: "m\(i)@bench.test", name: "Менеджер \(i)", role: .manager, password: Self.password), by: nil))
        }
        let now = services.clock.now()
        let pipeline = try await services.store.read { s in try await s.requirePipeline("sales") }
        let stages = pipeline.openStages.map(\.key)
        let contacts = try await services.store.write { s in
            var out: [ContactID] = []
            for i in 0..<2000 { out.append(try await s.insertContact(Contact(id: ContactID(0), name: "Клиент \(i)", createdAt: now)).id) }
            return out
        }
        var generator = SystemRandomNumberGenerator()
        for start in stride(from: 0, to: deals, by: 10_000) {
            let batch = (start..<min(start + 10_000, deals)).map { i -> Deal in
                let entered = Timestamp(millis: now.millis - Int64.random(in: 0..<30 * 86_400_000, using: &generator))
                let currency = i % 10 == 0 ? CurrencyCode("USD")! : CurrencyCode("RUB")!
                return Deal(
                    id: DealID(0), lineage: LineageID("bench-\(i)"), pipeline: "sales", stage: stages[i % stages.count], title: "Сделка \(i)",
                    amount: Money(scaledUnits: Int64.random(in: 1_000...500_000, using: &generator) * Money.scale, currency: currency),
                    responsible: managers[i % managers.count].id, contact: contacts[i % contacts.count], createdAt: entered, stageEnteredAt: entered)
            }
            try await services.store.write { s in
                let stored = try await s.bulkInsertDeals(batch)
                for deal in stored where deal.id.rawValue % 2 == 0 {
                    _ = try await s.insertTask(
                        DealTask(
                            id: TaskID(0), deal: deal.id, title: "Позвонить", assignee: deal.responsible, creator: nil,
                            dueAt: now.adding(millis: 86_400_000),
                            createdAt: now))
                }
            }
        }
        return (admin, managers[0])
    }

    /// The admin and the first manager of a file seeded before.
    func users(_ services: AppServices) async throws -> (User, User) {
        try await services.store.read { s in
            guard let admin = try await s.user(email: "admin@bench.test"), let manager = try await s.user(email: "m0@bench.test") else {
                throw ValidationError("the file was not seeded by bench board")
            }
            return (admin, manager)
        }
    }

    func measure(_ services: AppServices, admin: User, manager: User) async throws {
        let (server, bound) = try await startBenchServer(services)
        let client = TestClient(host: "127.0.0.1", port: bound)
        client.connect()
        let adminCookie = try await signIn(client, admin.email)
        let managerCookie = try await signIn(client, manager.email)
        say("board of 'sales' (\(deals) open deals), \(requests) requests per case, one client, SQLite file:")
        for (name, path, cookie) in [
            ("admin, whole board", "/board/sales", adminCookie),
            ("manager, own deals", "/board/sales", managerCookie),
            ("admin, mine=1", "/board/sales?mine=1", adminCookie),
            ("admin, text search", "/board/sales?q=%D0%BA%D0%BB%D0%B8%D0%B5%D0%BD%D1%82+12", adminCookie),
            ("admin, column page 2", "/board/sales/column/processing_request?offset=50", adminCookie),
        ] {
            var times: [Double] = []
            var bytes = 0
            for _ in 0..<requests {
                var headers = HTTPFields()
                headers[.cookie] = cookie
                let t = ContinuousClock.now
                let response = try await client.execute(.init(path, method: .get, headers: headers, body: nil))
                times.append(BenchMoves.millis(ContinuousClock.now - t))
                guard response.status == .ok else { throw ValidationError("\(path): \(response.status)") }
                bytes = response.body?.readableBytes ?? 0
            }
            let f = BenchMoves.figures(times, seconds: 1)
            say(
                String(
                    format: "  %@ p50 %7.1f ms   p99 %7.1f ms   %6d bytes", name.padding(toLength: 24, withPad: " ", startingAt: 0), f.p50, f.p99,
                    bytes))
        }
        say("peak RSS: \(peakRSSMegabytes()) MB")
        try await client.shutdown()
        server.cancel()
        _ = await server.result
    }

    func signIn(_ client: TestClient, _ email: String) async throws -> String {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let body = #"{"email":"\#(email)","password":"\#(Self.password)"}"#
        let response = try await client.execute(.init("/api/v1/session", method: .post, headers: headers, body: ByteBuffer(string: body)))
        guard let cookie = response.headers[.setCookie]?.split(separator: ";").first else {
            throw ValidationError("sign-in failed: \(response.status)")
        }
        return String(cookie)
    }
}
