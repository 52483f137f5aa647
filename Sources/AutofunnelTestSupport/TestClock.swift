import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import Synchronization

/// A clock that starts at `Fixtures.t0` and moves only when told (plus one millisecond per read, so events keep their order).
public final class TestClock: Sendable {
    private let current: Mutex<Int64>

    public init(start: Timestamp = Fixtures.t0) { current = Mutex(start.millis) }

    /// The time now, one millisecond after the previous read.
    public func now() -> Timestamp {
        current.withLock {
            $0 += 1
            return Timestamp(millis: $0)
        }
    }

    /// Moves the clock forward.
    public func advance(millis: Int64) { current.withLock { $0 += millis } }

    /// The clock as the services take it.
    public var appClock: AppClock { AppClock { [self] in self.now() } }
}

extension IDSource {
    /// Lineage ids `lineage-1`, `lineage-2`, … in order.
    public static func counting() -> IDSource {
        let next = Mutex(0)
        let occurrences = Mutex(0)
        return IDSource(
            lineage: { LineageID("lineage-\(next.withLock { $0 += 1; return $0 })") },
            occurrence: { "occurrence-\(occurrences.withLock { $0 += 1; return $0 })" })
    }
}
