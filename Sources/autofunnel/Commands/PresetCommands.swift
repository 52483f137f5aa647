import ArgumentParser
import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import Foundation

/// `autofunnel presets list|export|apply`: the pipelines the guides describe, shipped with the binary.
struct PresetCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presets", abstract: "List, print and apply the preset pipelines.", subcommands: [List.self, Export.self, Apply.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One preset a line: its name, pipeline key and names (ru / en).")

        func run() async throws {
            let presets = try Presets.catalogue()
            // Columns as wide as their longest entry: a key is never cut.
            let nameWidth = presets.map(\.name.count).max() ?? 0
            let keyWidth = presets.map(\.key.rawValue.count).max() ?? 0
            for preset in presets {
                print(
                    "\(Self.padded(preset.name, nameWidth))  \(Self.padded(preset.key.rawValue, keyWidth))  \(preset.title.ru) / \(preset.title.en)")
            }
        }

        /// `text` followed by spaces up to `width` characters (never shortened).
        static func padded(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(0, width - text.count))
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
