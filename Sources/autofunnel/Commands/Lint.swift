import ArgumentParser
import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import Foundation

/// `autofunnel lint`: checks funnel designs against guide 000. Exit status 0 clean, 1 warnings, 2 errors — a file
/// that is missing or is not a definition is an error too.
struct Lint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Lint definition files (together, in order) or stored pipelines with their data. Exit 0 clean, 1 warnings, 2 errors (also: a missing file or one that is not a definition)."
    )

    enum Format: String, ExpressibleByArgument { case text, json }

    /// Why there is nothing to lint: a file that cannot be read or parsed, or the database.
    struct InputError: Error, CustomStringConvertible {
        let description: String
    }

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Definition files (YAML or JSON); a preset's name works too.") var files: [String] = []
    @Option(help: "A stored pipeline to lint with its data (repeatable; none and no files: every pipeline).") var pipeline: [String] = []
    @Option(help: "text or json.") var format: Format = .text

    func run() async throws {
        let findings: [LintFinding]
        do {
            let definitions = try files.map(Self.definition)
            findings = try await withServices(database, label: "autofunnel.lint") { services in
                if files.isEmpty { return try await services.lint.lint(stored: pipeline.map { PipelineKey($0) }) }
                return try await services.lint.lint(definitions: definitions)
            }
        } catch {
            // ArgumentParser would exit 1, which here means "warnings": a lint that could not run is an error (2).
            let text = (error as? AppError).map { CLIError($0).description } ?? "\(error)"
            FileHandle.standardError.write(Data("Error: \(text)\n".utf8))
            throw ExitCode(2)
        }
        switch format {
        case .json: print(LintReportText.json(findings))
        case .text: print(LintReportText.text(findings), terminator: "")
        }
        let code = FunnelLinter.exitCode(findings)
        if code != 0 { throw ExitCode(code) }
    }

    /// The definition in a file, or in the preset of that name when there is no such file.
    static func definition(_ name: String) throws -> PipelineDefinition {
        let text: String
        if let data = FileManager.default.contents(atPath: name) {
            text = String(decoding: data, as: UTF8.self)
        } else if Presets.names().contains(name) {
            text = try Presets.text(name)
        } else {
            throw InputError(description: "\(name): no such file (and no preset of that name)")
        }
        do {
            return try PipelineService.parse(text)
        } catch let error as AppError {
            throw InputError(description: "\(name) is not a pipeline definition: \(CLIError(error))")
        }
    }
}
