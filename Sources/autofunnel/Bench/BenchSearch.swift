import ArgumentParser
import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Foundation

/// `autofunnel bench search`: the search box's query (`RecordAccess.search`, as the page and the API run it) over N
/// deals and M contacts with Russian and Latin names, phones and e-mails, for an admin (every deal) and a manager
/// (their own deals only), printing p50 and p99 per query and over all of them.
struct BenchSearch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Search times over many deals and contacts.")

    @Option(help: "Deals to create when the database is new.") var deals = 1_000_000
    @Option(help: "Contacts to create when the database is new.") var contacts = 300_000
    @Option(help: "Runs of each query per user.") var runs = 50
    @Option(help: "The database (default: a fresh SQLite file in the temporary folder); seeded when it has no deals.")
    var databaseURL: String?

    func run() async throws {
        let dir = try benchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = databaseURL ?? "sqlite:" + dir.appendingPathComponent("search.sqlite").path
        let store = try await Store.open(DatabaseLocation(url: url), logger: benchLogger(), now: AppClock.system.now())
        let services = AppServices(store: store, logger: benchLogger())
        try await store.closing { store in
            if try await store.read({ s in try await s.tableSizes() }).deals == 0 {
                let started = ContinuousClock.now
                try await BenchSearchData(services: services, deals: deals, contacts: contacts).seed()
                try await store.write { s in try await s.analyze() }
                say(
                    String(
                        format: "seeded %d deals and %d contacts in %.1f s", deals, contacts, BenchMoves.millis(ContinuousClock.now - started) / 1000)
                )
            }
            let sizes = try await store.read { s in try await s.tableSizes() }
            say("database: \(databaseURL == nil ? "a fresh SQLite file" : url), \(sizes.deals) deals; \(runs) runs of each query per user")
            try await measure(services)
        }
    }

    /// Typical queries: surnames in either case, a first and last name, phone fragments typed several ways, an e-mail
    /// fragment, a Latin name, a word of deal titles, and words that match nothing.
    func queries() -> [String] {
        [
            "иванов", "ПЕТРОВА", "Смирнова Анна", "кузнецов холодильник", "ёлкин", "916 123", "+7 (903) 555",
            BenchSearchData.phoneTypedDifferently(contacts: contacts), "9857", "ivanov12", "smith", "холодильник", "Кондиционер",
            "нетакогослова", "zzyzx",
        ]
    }

    func measure(_ services: AppServices) async throws {
        let users = try await services.store.read { s in (try await s.user(email: "admin@bench.test"), try await s.user(email: "m0@bench.test")) }
        guard let adminUser = users.0, let managerUser = users.1,
            let admin = try await services.auth.principal(adminUser.id, scope: .admin, credential: .session),
            let manager = try await services.auth.principal(managerUser.id, scope: .admin, credential: .session)
        else { throw ValidationError("the database was not seeded by bench search") }
        for (who, principal) in [("admin", admin), ("manager", manager)] {
            let access = RecordAccess(principal: principal, store: services.store)
            var all: [Double] = []
            for query in queries() {
                var times: [Double] = []
                var found = SearchResults.empty
                for _ in 0..<runs {
                    let t = ContinuousClock.now
                    found = try await access.search(query, limit: 20).0
                    times.append(BenchMoves.millis(ContinuousClock.now - t))
                }
                all += times
                let f = BenchMoves.figures(times, seconds: 1)
                say(
                    String(
                        format: "  %@ %@ p50 %6.1f ms  p99 %6.1f ms  found %2d deals %2d contacts",
                        who.padding(toLength: 8, withPad: " ", startingAt: 0),
                        ("«" + query + "»").padding(toLength: 26, withPad: " ", startingAt: 0), f.p50, f.p99, found.deals.count, found.contacts.count)
                )
            }
            let f = BenchMoves.figures(all, seconds: 1)
            say(String(format: "%@: all queries p50 %.1f ms, p99 %.1f ms", who, f.p50, f.p99))
        }
        say("peak RSS: \(peakRSSMegabytes()) MB")
    }
}
