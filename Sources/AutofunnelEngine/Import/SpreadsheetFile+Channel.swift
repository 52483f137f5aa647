import Foundation

extension SpreadsheetFile {
    /// A bounded hand-over from one producing thread to one consuming thread: the producer waits while `capacity` items
    /// are waiting, so a sheet of any size goes through in bounded memory. The consumer gets every item put before the
    /// producer finished, then nil or the producer's error; a consumer that goes away cancels, and the producer's next
    /// `put` says so.
    final class Channel<Element: Sendable>: @unchecked Sendable {
        // Every stored property is read and written under `condition` only.
        private let condition = NSCondition()
        private var items: [Element] = []
        private var head = 0
        private let capacity: Int
        private var ended = false
        private var failure: (any Error)?
        private var cancelled = false

        init(capacity: Int) { self.capacity = capacity }

        /// Hands `item` over, waiting while the channel is full; false once the consumer has cancelled.
        func put(_ item: Element) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            while items.count - head >= capacity && !cancelled { condition.wait() }
            guard !cancelled else { return false }
            items.append(item)
            condition.broadcast()
            return true
        }

        /// No more items: the consumer gets nil (or `error`) after the ones waiting.
        func finish(throwing error: (any Error)? = nil) {
            condition.lock()
            defer { condition.unlock() }
            if !ended {
                ended = true
                failure = error
            }
            condition.broadcast()
        }

        /// The producer put nothing for longer than the consumer would wait.
        struct Stalled: Error {}

        /// The next item, waiting for one; nil at the end or once cancelled. Waiting longer than `patience` seconds
        /// throws `Stalled`.
        func take(patience: TimeInterval? = nil) throws -> Element? {
            condition.lock()
            defer { condition.unlock() }
            // Foundation on Linux traps on `wait(until: .distantFuture)`: without patience, wait plainly.
            let deadline = patience.map { Date(timeIntervalSinceNow: $0) }
            while head == items.count && !ended && !cancelled {
                guard let deadline else {
                    condition.wait()
                    continue
                }
                if !condition.wait(until: deadline) && head == items.count && !ended && !cancelled { throw Stalled() }
            }
            if head < items.count && !cancelled {
                let item = items[head]
                head += 1
                if head >= capacity || head == items.count {
                    items.removeFirst(head)
                    head = 0
                }
                condition.broadcast()
                return item
            }
            if let failure, !cancelled { throw failure }
            return nil
        }

        /// The consumer is gone: the producer stops at its next `put`.
        func cancel() {
            condition.lock()
            defer { condition.unlock() }
            cancelled = true
            items.removeAll()
            head = 0
            condition.broadcast()
        }
    }
}
