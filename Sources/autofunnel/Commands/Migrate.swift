import ArgumentParser
import AutofunnelEngine
import AutofunnelStore

/// `autofunnel migrate`: applies pending migrations and says which.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await withServices(database, label: "autofunnel.migrate") { services in
            let applied = services.store.appliedMigrations
            print(
                applied.isEmpty
                    ? "database \(services.store.backend.name) is up to date"
                    : "applied \(applied.joined(separator: ", ")) to the \(services.store.backend.name) database")
        }
    }
}
