import ArgumentParser
import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import Foundation

/// `autofunnel export deals|contacts|companies|history|notes|tasks`: CSV files the importer reads back with no mapping, written
/// a page at a time as the system (every record, every field).
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export deals, contacts, companies, the stage history, notes or tasks as CSV (UTF-8 with BOM, RFC 4180).")

    /// What to export.
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case deals, contacts, companies, history, notes, tasks
    }

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "deals, contacts, companies, history, notes or tasks.") var kind: Kind
    @Option(help: "The file to write (default: standard output).") var out: String?
    @Option(help: "Only the deals (or the history) of this pipeline.") var pipeline: String?

    func validate() throws {
        if pipeline != nil && kind != .deals && kind != .history {
            throw ValidationError("--pipeline applies to deals and history")
        }
    }

    func run() async throws {
        try await withServices(database, label: "export") { services in
            let key = pipeline.map(PipelineKey.init(rawValue:))
            if let key, try await services.store.read({ s in try await s.pipeline(key) }) == nil {
                throw ValidationError("No pipeline \(key)")
            }
            let export = ExportService(store: services.store)
            let stream =
                switch kind {
                case .deals: export.deals(DealFilter(pipeline: key), reader: nil)
                case .contacts: export.contacts(reader: nil)
                case .companies: export.companies(reader: nil)
                case .history: export.history(pipeline: key, reader: nil)
                case .notes: export.notes(reader: nil)
                case .tasks: export.tasks(reader: nil)
                }
            guard let out else {
                try await stream.write { FileHandle.standardOutput.write(Data($0.utf8)) }
                return
            }
            try await Self.write(stream, to: URL(fileURLWithPath: out))
            FileHandleOutput.standardError("Exported \(kind.rawValue) to \(out)")
        }
    }

    /// Writes beside the file and moves it into place at the end, so a failed export leaves no half file behind.
    static func write(_ stream: ExportStream, to url: URL) async throws {
        let partial = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
            throw ValidationError("Cannot write \(partial.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: partial)
            do {
                try await stream.write { try handle.write(contentsOf: Data($0.utf8)) }
                try handle.synchronize()
                try handle.close()
            } catch {
                try? handle.close()
                throw error
            }
            if FileManager.default.fileExists(atPath: url.path) {
                _ = try FileManager.default.replaceItemAt(url, withItemAt: partial)
            } else {
                try FileManager.default.moveItem(at: partial, to: url)
            }
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
    }
}
