import ArgumentParser
import AutofunnelCore
import AutofunnelServer
import Foundation

/// `autofunnel lint`: checks funnel designs against guide 000. Exit status 0 clean, 1 warnings, 2 errors.
struct Lint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Lint definition files (together, in order) or stored pipelines with their data. Exit 0 clean, 1 warnings, 2 errors.")

    enum Format: String, ExpressibleByArgument { case text, json }

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Definition files (YAML or JSON); a preset's name works too.") var files: [String] = []
    @Option(help: "A stored pipeline to lint with its data (repeatable; none and no files: every pipeline).") var pipeline: [String] = []
    @Option(help: "text or json.") var format: Format = .text

    func run() async throws {
        let findings: [LintFinding]
        do {
            findings = try await withServices(database, label: "autofunnel.lint") { services in
                if files.isEmpty { return try await services.lint.lint(stored: pipeline.map { PipelineKey($0) }) }
                let definitions = try files.map { name -> PipelineDefinition in
                    if let data = FileManager.default.contents(atPath: name) {
                        return try PipelineService.parse(String(decoding: data, as: UTF8.self))
                    }
                    return try PipelineService.parse(try Presets.text(name))
                }
                return try await services.lint.lint(definitions: definitions)
            }
        } catch let error as AppError {
            throw CLIError(error)
        }
        switch format {
        case .json: print(LintReportText.json(findings))
        case .text: print(LintReportText.text(findings), terminator: "")
        }
        let code = FunnelLinter.exitCode(findings)
        if code != 0 { throw ExitCode(code) }
    }
}
