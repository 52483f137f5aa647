import ArgumentParser
import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import Foundation

/// `autofunnel pipelines apply|export|list`: funnel as code from the command line.
struct Pipelines: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply, export and list pipeline definitions.", subcommands: [Apply.self, Export.self, List.self])

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or update a pipeline from a YAML or JSON definition file ('-' reads stdin).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The definition file.") var file: String

        func run() async throws {
            let text: String
            if file == "-" {
                text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            } else {
                guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("Cannot read \(file)") }
                text = String(decoding: data, as: UTF8.self)
            }
            do {
                let result = try await withServices(database, label: "autofunnel.pipelines") { try await $0.pipelines.apply(text: text) }
                print("\(result.created ? "created" : "updated") pipeline \(result.pipeline.key) with \(result.pipeline.stages.count) stages")
                for (stage, count) in result.remapped.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                    print("moved \(count) deals out of removed stage \(stage)")
                }
            } catch let error as AppError {
                throw CLIError(error)
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a pipeline's definition as YAML.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The pipeline key.") var key: String

        func run() async throws {
            do {
                print(
                    try await withServices(database, label: "autofunnel.pipelines") { try await $0.pipelines.export(PipelineKey(key)) },
                    terminator: "")
            } catch let error as AppError {
                throw CLIError(error)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List pipelines: key, stage count, open deals, name.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let rows = try await withServices(database, label: "autofunnel.pipelines") { services in
                try await services.store.read { s in
                    var rows: [String] = []
                    for p in try await s.pipelines() {
                        let open = try await s.dealCounts(pipeline: p.key, status: .open).values.reduce(0, +)
                        rows.append("\(p.key)\t\(p.stages.count) stages\t\(open) open deals\t\(p.name.en) / \(p.name.ru)")
                    }
                    return rows
                }
            }
            rows.forEach { print($0) }
        }
    }
}

/// An application error printed for a person at a terminal, with every violation on its own line.
struct CLIError: Error, CustomStringConvertible {
    let error: AppError
    init(_ error: AppError) { self.error = error }
    var description: String {
        switch error {
        case .refused(let violations):
            return "refused:\n" + violations.map { "  - \($0.field.map { "\($0): " } ?? "")\($0.message.en)" }.joined(separator: "\n")
        case .badRequest(let message, _), .notFound(let message), .conflict(let message):
            return message
        default:
            return "\(error)"
        }
    }
}
