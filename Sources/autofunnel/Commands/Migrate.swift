import ArgumentParser
import AutofunnelStore

/// `autofunnel migrate`: applies pending migrations and says which.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await withServices(database, label: "autofunnel.migrate") { services in
            print("database \(services.store.backend.name) is up to date")
        }
    }
}
