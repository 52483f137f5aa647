import ArgumentParser
import AutofunnelCore
import AutofunnelServer
import Foundation

/// `autofunnel presets list|export|apply`: the pipelines the guides describe, shipped with the binary.
struct PresetCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presets", abstract: "List, print and apply the preset pipelines.", subcommands: [List.self, Export.self, Apply.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One preset a line: its name, pipeline key and names (ru / en).")

        func run() async throws {
            for preset in try Presets.catalogue() {
                print(
                    "\(preset.name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(preset.key.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)) \(preset.title.ru) / \(preset.title.en)"
                )
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a preset's definition file.")
        @Argument(help: "The preset's name.") var name: String

        func run() async throws {
            do { print(try Presets.text(name), terminator: "") } catch let error as AppError { throw CLIError(error) }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply presets (their pipelines are created or updated); --all applies every preset in dependency order.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Preset names.") var names: [String] = []
        @Flag(help: "Every preset.") var all = false

        func run() async throws {
            let chosen = all ? Presets.names() : names
            guard !chosen.isEmpty else { throw ValidationError("Name a preset, or pass --all") }
            do {
                try await withServices(database, label: "autofunnel.presets") { services in
                    for name in Presets.ordered(chosen) {
                        let result = try await services.pipelines.apply(text: try Presets.text(name))
                        print("\(result.created ? "created" : "updated") pipeline \(result.pipeline.key) from preset \(name)")
                    }
                }
            } catch let error as AppError {
                throw CLIError(error)
            }
        }
    }
}
