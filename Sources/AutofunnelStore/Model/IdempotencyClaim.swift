import AutofunnelCore
import SQLKit

/// What the store knows about an `Idempotency-Key`.
public enum IdempotencyClaim: Sendable, Equatable {
    /// First use: the caller runs the request, then calls `completeIdempotency`.
    case claimed
    /// A finished request with this key and the same fingerprint: replay its response.
    case replay(status: Int, contentType: String?, body: String)
    /// The key was used with a different request.
    case mismatch
    /// A request with this key is still running.
    case inProgress
    /// An earlier attempt changed data but its answer was lost (the server stopped before storing it).
    case appliedWithoutAnswer
}
