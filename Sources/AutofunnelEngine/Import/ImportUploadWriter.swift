import AutofunnelCore
import Crypto
import Foundation

/// Writes one upload as its form parts arrive, whoever reads the request (the API's multipart body, the import page's
/// form): the deals file (`file`) and the stage log (`history`) go to disk as they come, the other fields are kept
/// as text. Every byte counts against the upload limit; past it the writer stops with a 413 and removes what it
/// wrote, so an upload is never held in memory and never fills the disk beyond the limit.
public final class ImportUploadWriter {
    let uploads: ImportUploads
    let id: String
    let folder: URL
    private var total = 0
    private var meta: ImportUploads.Meta
    private var fields: [String: String] = [:]
    private var current: Part?
    private var fileBytes = 0
    private var finished = false

    /// The most bytes of one field that is not a file (a mapping is text of a few kilobytes).
    public static let fieldLimit = 1 << 20
    static let maximumFields = 32

    private enum Part {
        case file(FileHandle, name: String, bytes: Int)
        case history(FileHandle, url: URL, name: String, hash: SHA256, bytes: Int)
        case field(String, [UInt8])
    }

    init(uploads: ImportUploads) throws {
        self.uploads = uploads
        id = ImportUploads.newID()
        folder = uploads.root.appendingPathComponent(id, isDirectory: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data", isDirectory: true), withIntermediateDirectories: true)
        meta = ImportUploads.Meta(fileName: "", createdAt: Date())
    }

    deinit { if !finished { try? FileManager.default.removeItem(at: folder) } }

    /// Starts the part named `name` (a form field's name; `fileName` as the part says, for files).
    public func begin(name: String, fileName: String?) throws {
        try end()
        switch name {
        case "file":
            guard meta.fileName.isEmpty else { throw Self.refusal("file", ru: "Файл можно отправить один", en: "Send one file") }
            meta.fileName = ImportUploads.safeName(fileName, fallback: "upload.csv")
            let url = folder.appendingPathComponent("data", isDirectory: true).appendingPathComponent(meta.fileName)
            current = .file(try Self.create(url), name: meta.fileName, bytes: 0)
        case "history":
            guard meta.historyName == nil else { throw Self.refusal("history", ru: "История — один файл", en: "Send one history file") }
            try FileManager.default.createDirectory(at: uploads.histories, withIntermediateDirectories: true)
            let url = uploads.histories.appendingPathComponent("incoming-\(id)")
            current = .history(
                try Self.create(url), url: url, name: ImportUploads.safeName(fileName, fallback: "history.csv"), hash: SHA256(), bytes: 0)
        default:
            guard fields[name] == nil, fields.count < Self.maximumFields else {
                throw Self.refusal(name, ru: "Поле формы повторяется", en: "A form field is sent twice")
            }
            current = .field(name, [])
        }
    }

    /// The next bytes of the current part.
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty, let part = current else { return }
        total += bytes.count
        if total > uploads.limit {
            discard()
            throw AppError.payloadTooLarge(uploads.limit)
        }
        switch part {
        case .file(let handle, let name, let count):
            try handle.write(contentsOf: Data(bytes))
            current = .file(handle, name: name, bytes: count + bytes.count)
        case .history(let handle, let url, let name, var hash, let count):
            try handle.write(contentsOf: Data(bytes))
            hash.update(bufferPointer: bytes)
            current = .history(handle, url: url, name: name, hash: hash, bytes: count + bytes.count)
        case .field(let name, var value):
            guard value.count + bytes.count <= Self.fieldLimit else {
                discard()
                throw Self.refusal(name, ru: "Поле формы длиннее 1 МиБ", en: "A form field is longer than 1 MiB")
            }
            value.append(contentsOf: bytes)
            current = .field(name, value)
        }
    }

    /// Ends the current part (the next `begin` and `finish` do it too).
    public func end() throws {
        guard let part = current else { return }
        current = nil
        switch part {
        case .file(let handle, _, let bytes):
            try handle.close()
            fileBytes = bytes
        case .history(let handle, let url, let name, let hash, let bytes):
            try handle.close()
            // A file input left empty still sends its part, with no name and no bytes: that is no history.
            guard bytes > 0 else {
                try? FileManager.default.removeItem(at: url)
                return
            }
            let digest = hash.finalize().map { String(format: "%02x", $0) }.joined()
            let kept = uploads.histories.appendingPathComponent(digest)
            if FileManager.default.fileExists(atPath: kept.path) {
                try? FileManager.default.removeItem(at: url)
                // Touched, so that the sweep keeps it as long as this upload.
                try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: kept.path)
            } else {
                try FileManager.default.moveItem(at: url, to: kept)
            }
            meta.historyName = name
            meta.historyDigest = digest
        case .field(let name, let value):
            fields[name] = String(decoding: value, as: UTF8.self)
        }
    }

    /// The upload, kept, and the form's other fields; refused when no file came.
    public func finish() throws -> (upload: ImportUploads.Upload, fields: [String: String]) {
        try end()
        guard !meta.fileName.isEmpty else {
            discard()
            throw Self.refusal("file", ru: "Выберите файл со сделками", en: "Choose the file of deals to import")
        }
        guard fileBytes > 0 else {
            discard()
            throw AppError.refused([
                Violation(rule: .unreadableFile, field: "file", message: .init(ru: "Файл пустой", en: "The file is empty"))
            ])
        }
        let upload = ImportUploads.Upload(id: id, meta: meta, folder: folder, histories: uploads.histories)
        try uploads.save(upload)
        finished = true
        return (upload, fields)
    }

    /// Removes everything written so far.
    public func discard() {
        if case .file(let handle, _, _)? = current { try? handle.close() }
        if case .history(let handle, let url, _, _, _)? = current {
            try? handle.close()
            try? FileManager.default.removeItem(at: url)
        }
        current = nil
        finished = true
        try? FileManager.default.removeItem(at: folder)
    }

    private static func create(_ url: URL) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        return try FileHandle(forWritingTo: url)
    }

    static func refusal(_ field: String, ru: String, en: String) -> AppError {
        .refused([Violation(rule: .invalidValue, field: field, message: .init(ru: ru, en: en))])
    }
}
