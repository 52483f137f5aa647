import ArgumentParser

/// The `autofunnel` command: the server, migrations, funnel-as-code and benchmarks in one binary.
@main
struct Autofunnel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autofunnel",
        abstract: "A self-hosted CRM pipeline and automation engine.",
        subcommands: [Serve.self, Migrate.self, Users.self, Tokens.self, Pipelines.self, PresetCommands.self, Lint.self, Generate.self, Bench.self]
    )
}
