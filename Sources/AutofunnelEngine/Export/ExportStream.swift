/// One CSV file, produced while it is read: the byte order mark and header first, then one chunk of lines per page of
/// the store. Nothing is read ahead — a page is read when the reader asks for the next chunk, in a store read of its
/// own — so however many rows the file has, only one page is ever held, and a slow reader (a download) slows the
/// reading instead of filling memory.
public struct ExportStream: AsyncSequence, Sendable {
    public typealias Element = String

    /// The header's cells and how to read each page, decided once when reading starts.
    struct Pager: Sendable {
        let header: [String]
        /// The lines of the page after `after` (nil: the first page), and where the next page starts (nil: none).
        let page: @Sendable (_ after: Int64?) async throws -> (lines: String, nextAfter: Int64?)
    }

    let open: @Sendable () async throws -> Pager

    init(open: @escaping @Sendable () async throws -> Pager) { self.open = open }

    public func makeAsyncIterator() -> Iterator { Iterator(open: open) }

    /// Reads the file a chunk at a time.
    public struct Iterator: AsyncIteratorProtocol, Sendable {
        enum State: Sendable {
            case unopened
            case paging(Pager, after: Int64?)
            case finished
        }

        let open: @Sendable () async throws -> Pager
        var state = State.unopened

        /// The next chunk: the header first, then a page's lines; nil at the end. A page whose every row the reader
        /// may not see gives no chunk: the next page is read instead.
        public mutating func next() async throws -> String? {
            while true {
                switch state {
                case .unopened:
                    let pager = try await open()
                    state = .paging(pager, after: nil)
                    return CSVText.byteOrderMark + CSVText.line(pager.header)
                case .paging(let pager, let after):
                    let page = try await pager.page(after)
                    state = page.nextAfter.map { .paging(pager, after: $0) } ?? .finished
                    if !page.lines.isEmpty { return page.lines }
                case .finished:
                    return nil
                }
            }
        }
    }

    /// Hands every chunk to `sink`, in order (the command line writes them to a file or standard output).
    public func write(to sink: (String) async throws -> Void) async throws {
        for try await chunk in self { try await sink(chunk) }
    }

    /// The whole file as one text, for tests and small exports; a large one should be written chunk by chunk.
    public func text() async throws -> String {
        var out = ""
        try await write { out += $0 }
        return out
    }
}
