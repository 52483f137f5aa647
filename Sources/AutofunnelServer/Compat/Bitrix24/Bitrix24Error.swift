import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// An error in Bitrix24's own format: `{"error": code, "error_description": text}` with the status Bitrix24 uses.
struct Bitrix24Error: Error, Sendable {
    var status: Int
    var code: String
    var description: String

    /// The JSON body of the error.
    var body: JSONValue { .object(["error": .string(code), "error_description": .string(description)]) }

    static let invalidCredentials = Bitrix24Error(status: 401, code: "INVALID_CREDENTIALS", description: "Invalid request credentials")

    static func methodNotFound(_ name: String) -> Bitrix24Error {
        Bitrix24Error(status: 404, code: "ERROR_METHOD_NOT_FOUND", description: name.isEmpty ? "Method not found!" : "Method not found! (\(name))")
    }

    /// A record that does not exist (or that the caller may not see): 400 with an empty code, as Bitrix24 answers.
    static let notFound = Bitrix24Error(status: 400, code: "", description: "Not found")

    /// A parameter that is missing or cannot be used.
    static func invalid(_ text: String) -> Bitrix24Error { Bitrix24Error(status: 400, code: "", description: text) }

    /// Any error a method can end with, in Bitrix24's format; refusals carry our violation texts in the caller's language.
    static func from(_ error: any Error, russian: Bool) -> Bitrix24Error {
        if let own = error as? Bitrix24Error { return own }
        guard let app = AppError.from(error) else {
            return Bitrix24Error(status: 500, code: "INTERNAL_SERVER_ERROR", description: "Internal server error")
        }
        func text(_ violations: [Violation]) -> String {
            violations.map { russian ? $0.message.ru : $0.message.en }.joined(separator: "; ")
        }
        switch app {
        case .refused(let v): return invalid(text(v))
        case .badRequest(let detail, let v): return invalid(v.isEmpty ? detail : text(v))
        case .notFound: return notFound
        case .conflict(let detail): return invalid(detail)
        case .duplicate(let existing): return invalid(russian ? existing.message.ru : existing.message.en)
        case .payloadTooLarge(let limit): return Bitrix24Error(status: 413, code: "", description: "The body exceeds \(limit) bytes")
        case .unauthenticated: return invalidCredentials
        case .forbidden(let v): return Bitrix24Error(status: 403, code: "ACCESS_DENIED", description: text(v))
        case .tooManyRequests: return Bitrix24Error(status: 429, code: "OPERATION_TIME_LIMIT", description: "Too many requests")
        case .unavailable: return Bitrix24Error(status: 503, code: "INTERNAL_SERVER_ERROR", description: "The database is unavailable; retry later")
        case .idempotencyMismatch, .idempotencyInProgress, .idempotencyAnswerLost: return invalid("Idempotency keys are not used here")
        }
    }
}
