import ArgumentParser

/// `autofunnel bench …`: benchmarks are programs that print figures measured in one run.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a benchmark and print its figures.",
        subcommands: [BenchBoard.self, BenchImport.self, BenchMoves.self, BenchReports.self, BenchSearch.self, BenchTimers.self])
}
