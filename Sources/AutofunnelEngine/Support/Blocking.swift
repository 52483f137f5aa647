import Foundation

/// Work that blocks (reading a big file, parsing it) run on a thread of its own instead of the cooperative pool, whose
/// few threads (one per core) also answer the server's requests: an import reading its history file for seconds must
/// not keep a request waiting that long.
enum Blocking {
    /// Runs `work` on a new thread and returns what it returns or throws.
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.stackSize = 1 << 22
            thread.start()
        }
    }
}
