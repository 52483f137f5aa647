import AutofunnelCore
import AutofunnelStore

/// Every error the engine refuses a request with. The HTTP layer maps it to problem+json in one place (`Problem.from`, called by
/// `AppResponder`); its status is `AppError.status` there.
public enum AppError: Error, Sendable {
    /// The request was understood but breaks a rule: 422 with every violation.
    case refused([Violation])
    /// The request could not be read (malformed JSON, wrong types, unknown fields): 400.
    case badRequest(String, [Violation] = [])
    /// The record does not exist: 404.
    case notFound(String)
    /// The state forbids it (a taken key, a pipeline with deals): 409.
    case conflict(String)
    /// A new record would duplicate an existing one (a contact's phone or e-mail): 409 with the existing record's id.
    case duplicate(ExistingRecord)
    /// The body is larger than allowed: 413.
    case payloadTooLarge(Int)
    /// An idempotency key reused with a different request: 422.
    case idempotencyMismatch
    /// A request with the same idempotency key is still running: 409.
    case idempotencyInProgress
    /// An earlier request with the key changed data but its answer was lost in a crash: 409, look the result up.
    case idempotencyAnswerLost
    /// No valid credential, or a wrong e-mail or password: 401.
    case unauthenticated
    /// The caller is known but may not do this (a role, a scope, a read-only field, a missing CSRF token): 403.
    case forbidden([Violation])
    /// Too many failed sign-ins: 429 with `Retry-After` seconds.
    case tooManyRequests(retryAfter: Int)
    /// The database cannot take the request now (a storage fault): 503 with `Retry-After` seconds.
    case unavailable(retryAfter: Int)

    /// A query parameter or header that cannot be used: 400 with one field-level entry.
    public static func invalidParameter(_ field: String, ru: String, en: String) -> AppError {
        .badRequest(en, [Violation(rule: .invalidValue, field: field, message: .init(ru: ru, en: en))])
    }

    /// A refusal for one reason, without a field.
    public static func forbidden(ru: String, en: String) -> AppError {
        .forbidden([Violation(rule: .forbidden, message: .init(ru: ru, en: en))])
    }

    /// Translates store errors; anything else is not ours to explain.
    public static func from(_ error: any Error) -> AppError? {
        switch error {
        case let e as AppError: return e
        case let r as Refusal: return .refused(r.violations)
        case let v as Violation: return .refused([v])
        case StoreError.notFound(let entity, let id): return .notFound("No \(entity) with id \(id)")
        case StoreError.conflict(let message): return .conflict(message)
        case StoreError.unavailable: return .unavailable(retryAfter: 5)
        default: return nil
        }
    }
}
