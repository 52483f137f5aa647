import Foundation

/// Import files written for a test into a folder of their own, removed at the end.
struct ImportFiles {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("autofunnel-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// A file of `bytes`.
    func write(_ name: String, bytes: [UInt8]) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// A UTF-8 file (with a byte order mark when `bom`).
    func write(_ name: String, _ text: String, bom: Bool = false) throws -> URL {
        try write(name, bytes: (bom ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8))
    }

    /// A Windows-1251 file of `text` (Cyrillic and ASCII only).
    func write1251(_ name: String, _ text: String) throws -> URL {
        let table = Array(
            "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзийклмнопрстуфхцчшщъыьэюя")
        var bytes: [UInt8] = []
        for ch in text {
            if let ascii = ch.asciiValue {
                bytes.append(ascii)
            } else if let i = table.firstIndex(of: ch) {
                bytes.append(UInt8(0xC0 + i))
            } else if ch == "Ё" {
                bytes.append(0xA8)
            } else if ch == "ё" {
                bytes.append(0xB8)
            } else {
                fatalError("no Windows-1251 byte for \(ch)")
            }
        }
        return try write(name, bytes: bytes)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}
