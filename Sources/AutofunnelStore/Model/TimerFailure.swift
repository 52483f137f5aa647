import AutofunnelCore
import SQLKit

/// What became of a timer whose firing failed.
public enum TimerFailure: Sendable, Equatable {
    /// It fires again at this time; `attempts` failures so far.
    case retry(at: Timestamp, attempts: Int)
    /// It failed `attempts` times and was parked.
    case parked(attempts: Int)
    /// Another instance holds it now (or it is gone): nothing recorded.
    case notHeld
}
