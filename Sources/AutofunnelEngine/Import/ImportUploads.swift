import Foundation

/// Files uploaded for imports, kept on this server's disk between the steps of an import (preview, dry run, run). Each
/// upload has a folder of its own named by a random id; a history file is kept by the digest of its content instead,
/// because the import journal tells runs apart by the history's path: the same history uploaded again must land on the
/// same path for a cut run to resume. An upload is removed after its real run finishes, and any left after a day.
/// Another server of the same database does not see them: the steps of one import go to the server that took the file.
public struct ImportUploads: Sendable {
    /// The folder every upload goes under.
    public let root: URL
    /// The most bytes one upload may hold, its files and fields together.
    public let limit: Int
    /// 256 MiB.
    public static let defaultLimit = 256 << 20
    /// How long an upload is kept when nothing removes it earlier.
    static let keptFor: TimeInterval = 86_400

    /// Uploads under `root`: `AUTOFUNNEL_IMPORT_DIR`, else `autofunnel-imports` in the temporary folder.
    public init(root: URL? = nil, limit: Int = defaultLimit) {
        self.root =
            root ?? ProcessInfo.processInfo.environment["AUTOFUNNEL_IMPORT_DIR"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("autofunnel-imports")
        self.limit = limit
    }

    /// What came with an upload's files.
    public struct Meta: Codable, Sendable, Equatable {
        /// The deals file's name as sent (a name only, no folders).
        public var fileName: String
        public var historyName: String?
        var historyDigest: String?
        /// The mapping sent with the file, or as last edited on the import page.
        public var mapping: String?
        public var source: String?
        public var pipeline: String?
        var createdAt: Date
    }

    /// One upload.
    public struct Upload: Sendable {
        public let id: String
        public var meta: Meta
        let folder: URL
        let histories: URL

        /// The deals file.
        public var file: URL { folder.appendingPathComponent("data", isDirectory: true).appendingPathComponent(meta.fileName) }
        /// The stage-log file sent with it.
        public var history: URL? { meta.historyDigest.map { histories.appendingPathComponent($0) } }
    }

    var histories: URL { root.appendingPathComponent("histories", isDirectory: true) }

    /// The upload with `id`, or nil when there is none (never was, or removed).
    public func upload(_ id: String) -> Upload? {
        guard Self.isID(id) else { return nil }
        let folder = root.appendingPathComponent(id, isDirectory: true)
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("meta.json")),
            let meta = try? JSONDecoder().decode(Meta.self, from: data)
        else { return nil }
        let upload = Upload(id: id, meta: meta, folder: folder, histories: histories)
        guard FileManager.default.fileExists(atPath: upload.file.path) else { return nil }
        return upload
    }

    /// Writes what came with an upload (the edited mapping, say).
    public func save(_ upload: Upload) throws {
        let data = try JSONEncoder().encode(upload.meta)
        try data.write(to: upload.folder.appendingPathComponent("meta.json"), options: .atomic)
    }

    /// Removes an upload's files (its history stays for other uploads of the same one, until it is a day old).
    public func remove(_ id: String) {
        guard Self.isID(id) else { return }
        try? FileManager.default.removeItem(at: root.appendingPathComponent(id, isDirectory: true))
    }

    /// A writer of a new upload; uploads older than a day are removed first.
    public func writer() throws -> ImportUploadWriter {
        sweep(before: Date().addingTimeInterval(-Self.keptFor))
        return try ImportUploadWriter(uploads: self)
    }

    /// Removes uploads and histories last changed before `date`.
    func sweep(before date: Date) {
        let fm = FileManager.default
        for folder in [root, histories] {
            let items = (try? fm.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
            for item in items where item.lastPathComponent != "histories" {
                let changed = (try? item.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantFuture
                if changed < date { try? fm.removeItem(at: item) }
            }
        }
    }

    /// A new upload's id: 128 random bits as hex.
    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }

    static func isID(_ text: String) -> Bool { text.utf8.count == 32 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } }

    /// A file name as sent, made safe to keep: its last path part, without control characters, at most 120 characters.
    static func safeName(_ sent: String?, fallback: String) -> String {
        let last = (sent ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: last.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.prefix(120))
        let clean = String(kept).trimmingCharacters(in: .whitespaces)
        return clean.isEmpty || clean == "." || clean == ".." || clean == "meta.json" ? fallback : clean
    }
}
