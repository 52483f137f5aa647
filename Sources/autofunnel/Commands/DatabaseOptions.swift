import ArgumentParser
import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import Foundation
import Logging

/// `--database-url`, shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    @Option(
        help:
            "sqlite:PATH, sqlite::memory: or postgres://user:pass@host:port/db (default: $AUTOFUNNEL_DATABASE_URL or ./autofunnel-data/autofunnel.sqlite)"
    )
    var databaseURL: String?

    var location: DatabaseLocation {
        DatabaseLocation(
            url: databaseURL ?? ProcessInfo.processInfo.environment["AUTOFUNNEL_DATABASE_URL"] ?? "sqlite:./autofunnel-data/autofunnel.sqlite")
    }

    /// Where uploaded import files wait between the steps of an import: beside a SQLite file (the temporary folder may
    /// be memory), else `AUTOFUNNEL_IMPORT_DIR` or the temporary folder.
    var uploadFolder: URL? {
        if ProcessInfo.processInfo.environment["AUTOFUNNEL_IMPORT_DIR"] != nil { return nil }
        guard case .sqliteFile(let path) = location else { return nil }
        return URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("imports", isDirectory: true)
    }

    /// Opens the store (migrating it) and builds the services.
    func services(
        logger: Logger, authConfig: AuthConfig = AuthConfig(), publicURL: String = "http://127.0.0.1:8080", timeZone: TimeZoneName = .moscow
    ) async throws -> AppServices {
        let store = try await Store.open(location, logger: logger, now: AppClock.system.now())
        return AppServices(
            store: store, logger: logger, authConfig: authConfig, publicURL: publicURL, importUploads: ImportUploads(root: uploadFolder),
            timeZone: timeZone)
    }
}

/// Runs `body` with the services and closes the store afterwards, whatever happens.
func withServices<T>(_ options: DatabaseOptions, label: String, _ body: (AppServices) async throws -> T) async throws -> T {
    var logger = Logger(label: label)
    logger.logLevel = .warning
    let services = try await options.services(logger: logger)
    return try await services.store.closing { _ in try await body(services) }
}
