import Foundation
import ZIPFoundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

extension SpreadsheetFile {
    /// The ZIP archive an XLSX file is, read with ZIPFoundation. Opening checks what the entries declare (no more than
    /// `maximumBytes` unpacked in all); each part is then unpacked on a thread of its own straight into `XMLParser`,
    /// and refused as soon as it unpacks to more than it declared (a zip bomb) or fails its checksum.
    struct Zip: Sendable {
        let url: URL
        /// Each entry's path and declared unpacked size, by its lowercased path (Excel's paths are lowercase; other
        /// writers' need not be).
        private let entries: [String: (path: String, size: UInt64)]

        init(url: URL) throws {
            self.url = url
            let archive: Archive
            do {
                archive = try Archive(url: url, accessMode: .read)
            } catch {
                throw Malformed(
                    line: 0, reason: "the file starts like an XLSX spreadsheet but is not a readable ZIP archive (is it damaged or cut short?)")
            }
            var entries: [String: (path: String, size: UInt64)] = [:]
            var total: UInt64 = 0
            for entry in archive {
                let (sum, overflow) = total.addingReportingOverflow(entry.uncompressedSize)
                total = sum
                guard !overflow, total <= UInt64(SpreadsheetFile.maximumBytes) else {
                    throw Malformed(
                        line: 0,
                        reason: "the spreadsheet unpacks to more than \(SpreadsheetFile.maximumBytes >> 20) MB: split it, or save it as CSV")
                }
                guard entries.count < SpreadsheetFile.maximumEntries else {
                    throw Malformed(
                        line: 0,
                        reason: "the spreadsheet has more than \(SpreadsheetFile.maximumEntries) parts, which Excel never writes (is it damaged?)")
                }
                entries[entry.path.lowercased()] = (entry.path, entry.uncompressedSize)
            }
            self.entries = entries
        }

        func contains(_ path: String) -> Bool { entries[path.lowercased()] != nil }

        /// Parses the entry at `path` with `reader` on this thread while another thread unpacks it.
        func parse(_ path: String, with reader: PartReader) throws {
            let stream = EntryStream(path, in: self)
            let parser = XMLParser(stream: stream)
            parser.shouldResolveExternalEntities = false
            parser.delegate = reader
            reader.parser = parser
            reader.stream = stream
            let parsed = parser.parse()
            stream.stop()
            if let failure = reader.failure { throw failure }
            if reader.stopped { return }
            if let failure = stream.failure { throw failure }
            guard parsed, parser.parserError == nil, !reader.invalid else {
                throw Malformed(line: reader.line, reason: "the spreadsheet's \(path) is not well-formed XML (is the file damaged?)")
            }
        }

        /// Unpacks the entry at `path` into `chunks`, then finishes them (with the reason when it fails). Runs on a
        /// thread of its own and opens the archive there: ZIPFoundation's `Archive` belongs to one thread.
        func extract(_ path: String, into chunks: Channel<Data>) {
            struct Cancelled: Error {}
            do {
                guard let (name, declared) = entries[path.lowercased()] else {
                    throw Malformed(line: 0, reason: "the spreadsheet has no \(path)")
                }
                let archive = try Archive(url: url, accessMode: .read)
                guard let entry = archive[name] else { throw Malformed(line: 0, reason: "the spreadsheet has no \(path)") }
                var unpacked: UInt64 = 0
                // Counted here rather than trusted: a zip bomb declares little and unpacks to much, and is stopped at the
                // first chunk past what it declared.
                let checksum = try archive.extract(entry, bufferSize: 1 << 16, skipCRC32: false) { data in
                    unpacked += UInt64(data.count)
                    guard unpacked <= declared else {
                        throw Malformed(
                            line: 0,
                            reason: "the spreadsheet's \(path) unpacks to more than the \(declared) bytes it declares (a damaged file or a zip bomb)")
                    }
                    guard chunks.put(data) else { throw Cancelled() }
                }
                guard unpacked == declared, checksum == entry.checksum else {
                    throw Malformed(line: 0, reason: "the spreadsheet's \(path) is damaged (its size or checksum is not what the archive declares)")
                }
                chunks.finish()
            } catch is Cancelled {
                chunks.finish()
            } catch let malformed as Malformed {
                chunks.finish(throwing: malformed)
            } catch {
                chunks.finish(throwing: Malformed(line: 0, reason: "the spreadsheet's \(path) cannot be unpacked (is the file damaged?)"))
            }
        }
    }

    /// One entry of the archive as the `InputStream` that `XMLParser` pulls from: a thread of its own unpacks it into
    /// a small channel, so that neither the entry nor its parse is ever whole in memory.
    final class EntryStream: InputStream {
        /// How long a read waits for the unpacking thread. ZIPFoundation 0.9.20 on Linux loops without end on a deflate
        /// stream that runs past the end of the file (weichsel/ZIPFoundation#389): that thread cannot be stopped, but
        /// the import fails with a clear error instead of waiting with it.
        static let patience: TimeInterval = 60
        private let path: String
        private let chunks = Channel<Data>(capacity: 8)
        private var current = Data()
        private var offset = 0
        private var status: Stream.Status = .notOpen
        /// Why unpacking failed, if it did.
        private(set) var failure: (any Error)?

        init(_ path: String, in zip: Zip) {
            self.path = path
            super.init(data: Data())
            let chunks = self.chunks
            Thread { zip.extract(path, into: chunks) }.start()
        }

        deinit { chunks.cancel() }

        /// Stops unpacking: the parse is over or has been aborted.
        func stop() { chunks.cancel() }

        override func open() { status = .open }
        override func close() {
            status = .closed
            chunks.cancel()
        }
        override var streamStatus: Stream.Status { status }
        override var streamError: (any Error)? { failure }
        override var hasBytesAvailable: Bool { status == .open }

        override func read(_ buffer: UnsafeMutablePointer<UInt8>, maxLength len: Int) -> Int {
            while offset >= current.count {
                do {
                    guard let next = try chunks.take(patience: Self.patience) else { return 0 }
                    current = next
                    offset = 0
                } catch is Channel<Data>.Stalled {
                    failure = Malformed(line: 0, reason: "the spreadsheet's \(path) does not unpack (is the file damaged?)")
                    status = .error
                    return -1
                } catch {
                    failure = error
                    status = .error
                    return -1
                }
            }
            let count = min(len, current.count - offset)
            current.withUnsafeBytes { raw in
                let bytes = raw.bindMemory(to: UInt8.self)
                buffer.update(from: bytes.baseAddress! + offset, count: count)
            }
            offset += count
            return count
        }
    }
}
