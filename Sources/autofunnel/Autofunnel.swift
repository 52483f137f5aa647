import ArgumentParser
import AutofunnelEngine
import AutofunnelServer
import Logging

/// The `autofunnel` command: the server, migrations, funnel-as-code and benchmarks in one binary.
@main
struct Autofunnel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autofunnel",
        abstract: "A self-hosted CRM pipeline and automation engine.",
        subcommands: [
            Serve.self, Migrate.self, Users.self, Tokens.self, Pipelines.self, PresetCommands.self, Lint.self, Generate.self, Bench.self, Export.self,
            Backup.self, Restore.self, Import.self,
        ]
    )

    /// Every log line of the process goes through the redacting sink, to standard error: standard output carries only
    /// what a command prints (a token, an export), so a log line never mixes into it.
    static func main() async {
        LoggingSystem.bootstrap { label in RedactingLogHandler(StreamLogHandler.standardError(label: label)) }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
