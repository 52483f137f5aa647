import AutofunnelCore
import Foundation

/// Preset pipeline definitions shipped with the binary (`Resources/presets/*.yaml`).
public enum Presets {
    static var folder: URL? { Bundle.module.bundleURL.appendingPathComponent("Resources/presets") }

    /// Preset names, e.g. `sales-002`.
    public static func names() -> [String] {
        guard let folder, let files = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// A preset as listed: its name, the pipeline it makes and that pipeline's names.
    public struct Entry: Sendable {
        public var name: String
        public var key: PipelineKey
        public var title: Localized
    }

    /// Presets that declare fields others use come first; the rest follow by name.
    public static let dependencyOrder = ["sales-002", "nurturing", "qualification"]

    /// The names in an order they can be applied in.
    public static func ordered(_ names: [String]) -> [String] {
        names.sorted { a, b in
            let (i, j) = (dependencyOrder.firstIndex(of: a) ?? Int.max, dependencyOrder.firstIndex(of: b) ?? Int.max)
            return i != j ? i < j : a < b
        }
    }

    /// Every preset with its pipeline key and names, in dependency order.
    public static func catalogue() throws -> [Entry] {
        try ordered(names()).map { name in
            let definition = try PipelineService.parse(try text(name))
            return Entry(name: name, key: PipelineKey(definition.key), title: definition.name)
        }
    }

    /// The definition file of a preset.
    public static func text(_ name: String) throws -> String {
        guard let folder, names().contains(name) else {
            throw AppError.notFound("No preset named \(name); presets: \(names().joined(separator: ", "))")
        }
        return try String(contentsOf: folder.appendingPathComponent(name + ".yaml"), encoding: .utf8)
    }
}
