import ArgumentParser
import AutofunnelEngine
import AutofunnelServer
import Foundation

/// `autofunnel generate`: a realistic, deterministic history for analytics.
struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a generated two-year history of deals (deterministic for a seed).")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Leads to generate (qualified ones also open a sales deal).") var deals = 10_000
    @Option(help: "Random seed.") var seed: UInt64 = 1

    func run() async throws {
        let started = ContinuousClock.now
        let summary = try await withServices(database, label: "autofunnel.generate") { services in
            try await HistoryGenerator(services: services).run(deals: deals, seed: seed) { done, total in
                if done == total || done % max(total / 10, 5_000) == 0 {
                    FileHandle.standardError.write(Data("generated \(done) of \(total) leads\n".utf8))
                }
            }
        }
        print("wrote \(summary.deals) deals and \(summary.transitions) stage-log rows in \(ContinuousClock.now - started)")
    }
}
