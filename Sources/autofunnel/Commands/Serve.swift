import ArgumentParser
import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// `autofunnel serve`: the HTTP server, until SIGINT or SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (default 127.0.0.1:8080, SQLite under ./autofunnel-data/).")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Flag(help: "Apply the presets and load demo data when the database is empty.") var demo = false
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"
    @Option(help: "The address users open, e.g. https://crm.example.com (setup link; https makes cookies Secure).")
    var publicURL: String?
    @Option(help: "The installation's time zone, e.g. Europe/Moscow: pages show times in it for users who chose none (env AUTOFUNNEL_TIME_ZONE).")
    var timeZone: String?
    @Option(help: "A PEM certificate chain: serve HTTPS only (with --tls-key).") var tlsCert: String?
    @Option(help: "The PEM private key of --tls-cert.") var tlsKey: String?

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if zone == nil { throw ValidationError("Unknown time zone '\(zoneName)'; use an IANA name such as Europe/Moscow") }
    }

    func run() async throws {
        var logger = Logger(label: "autofunnel")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let tls = tlsCert.flatMap { cert in tlsKey.map { TLSFiles(certificate: cert, key: $0) } }
        let scheme = tls == nil ? "http" : "https"
        // Read before anything else starts: a bad file stops the server with its name, not a half-started one.
        _ = try tls?.configuration()
        let base = publicURL ?? ProcessInfo.processInfo.environment["AUTOFUNNEL_PUBLIC_URL"] ?? "\(scheme)://\(host):\(port)"
        var config = AuthConfig()
        config.secureCookies = base.lowercased().hasPrefix("https://")
        let services = try await database.services(logger: logger, authConfig: config, publicURL: base, timeZone: zone ?? .moscow)
        if demo {
            if let accounts = try await DemoData.load(into: services) {
                Self.say("Demo data loaded. Demo users (these passwords are shown once, in demo mode only):")
                for a in accounts {
                    Self.say("  \(a.user.role.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \(a.user.email)  \(a.password)")
                }
            } else {
                logger.notice("database not empty; demo data skipped")
            }
        }
        if let token = try await services.auth.beginSetup() {
            Self.say("No users yet. Create the first admin within 24 hours at:\n  \(base)/setup?token=\(token)")
        }
        let app = try buildApplication(services, host: host, port: port, tls: tls)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: app), .init(service: AutomationScheduler(services: services)),
                    .init(service: OutboxDelivery(services: services, policy: services.webhookPolicy)),
                    .init(service: NoticeDigests(services: services)),
                    .init(service: StoreService(store: services.store)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.notice("Autofunnel listening on \(scheme)://\(host):\(port) (database: \(services.store.backend.name))")
        try await group.run()
    }
}

extension Serve {
    var zoneName: String { timeZone ?? ProcessInfo.processInfo.environment["AUTOFUNNEL_TIME_ZONE"] ?? TimeZoneName.moscow.rawValue }
    var zone: TimeZoneName? { TimeZoneName(zoneName) }

    /// A line on standard output, unbuffered: scripts and tests read it while the server runs.
    static func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
}

/// Closes the database connections when the service group shuts down (SQLite traps on connections left open).
struct StoreService: Service {
    let store: Store
    func run() async throws {
        try? await gracefulShutdown()
        try await store.close()
    }
}
