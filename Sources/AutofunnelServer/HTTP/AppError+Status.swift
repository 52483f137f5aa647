import AutofunnelEngine

extension AppError {
    /// The HTTP status of the error.
    public var status: Int {
        switch self {
        case .refused, .idempotencyMismatch: 422
        case .badRequest: 400
        case .notFound: 404
        case .conflict, .duplicate, .idempotencyInProgress, .idempotencyAnswerLost: 409
        case .payloadTooLarge: 413
        case .unauthenticated: 401
        case .forbidden: 403
        case .tooManyRequests: 429
        case .unavailable: 503
        }
    }
}
