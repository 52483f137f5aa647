import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// An error in amoCRM's format: `{title, type, status, detail}`, and for refused input also `validation-errors` with
/// one entry per request item (`request_id`) listing `{code, path, detail}` — the detail is our violation text.
struct AmoCRMError: Error, Sendable {
    /// One refused value of one request item.
    struct Problem: Sendable {
        var code: String
        var path: String
        var detail: String
    }

    var status: Int
    var title: String
    var detail: String
    var requestID: String? = nil
    var problems: [Problem] = []

    /// The JSON body of the error.
    var body: JSONValue {
        var out: [String: JSONValue] = [
            "title": .string(title), "type": .string("https://httpstatus.es/\(status)"), "status": .number(Double(status)), "detail": .string(detail),
        ]
        if !problems.isEmpty {
            let errors = problems.map { p in JSONValue.object(["code": .string(p.code), "path": .string(p.path), "detail": .string(p.detail)]) }
            out["validation-errors"] = .array([.object(["request_id": .string(requestID ?? "0"), "errors": .array(errors)])])
        }
        return .object(out)
    }

    static let unauthorized = AmoCRMError(
        status: 401, title: "Unauthorized", detail: "The token is missing, unknown, revoked, expired or not signed by us")

    static func notFound(_ what: String) -> AmoCRMError { AmoCRMError(status: 404, title: "Not Found", detail: what) }

    /// Input that cannot be used, about the item `requestID` of the request.
    static func invalid(_ detail: String, path: String = "", requestID: String? = nil) -> AmoCRMError {
        AmoCRMError(
            status: 400, title: "Bad Request", detail: "Request validation failed", requestID: requestID,
            problems: [Problem(code: "InvalidValue", path: path, detail: detail)])
    }

    /// Any error a request can end with, in amoCRM's format; refusals carry our violation texts in the caller's language.
    static func from(_ error: any Error, russian: Bool, requestID: String?) -> AmoCRMError {
        if var own = error as? AmoCRMError {
            if own.requestID == nil { own.requestID = requestID }
            return own
        }
        guard let app = AppError.from(error) else {
            return AmoCRMError(status: 500, title: "Internal Server Error", detail: "Internal server error")
        }
        func problems(_ violations: [Violation]) -> [Problem] {
            violations.map { v in
                let code =
                    switch v.rule {
                    case .requiredField: "NotBlank"
                    default: "InvalidValue"
                    }
                return Problem(code: code, path: v.field ?? "", detail: russian ? v.message.ru : v.message.en)
            }
        }
        func refused(_ violations: [Violation], _ detail: String) -> AmoCRMError {
            AmoCRMError(status: 400, title: "Bad Request", detail: detail, requestID: requestID, problems: problems(violations))
        }
        switch app {
        case .refused(let v): return refused(v, "Request validation failed")
        case .badRequest(let detail, let v): return v.isEmpty ? invalid(detail, requestID: requestID) : refused(v, detail)
        case .notFound(let detail): return notFound(detail)
        case .conflict(let detail): return invalid(detail, requestID: requestID)
        case .duplicate(let existing): return invalid(russian ? existing.message.ru : existing.message.en, requestID: requestID)
        case .payloadTooLarge(let limit): return AmoCRMError(status: 413, title: "Payload Too Large", detail: "The body exceeds \(limit) bytes")
        case .unauthenticated: return unauthorized
        case .forbidden(let v):
            return AmoCRMError(status: 403, title: "Forbidden", detail: v.map { russian ? $0.message.ru : $0.message.en }.joined(separator: "; "))
        case .tooManyRequests: return AmoCRMError(status: 429, title: "Too Many Requests", detail: "Too many requests")
        case .unavailable: return AmoCRMError(status: 503, title: "Service Unavailable", detail: "The database is unavailable; retry later")
        case .idempotencyMismatch, .idempotencyInProgress, .idempotencyAnswerLost: return invalid("Idempotency keys are not used here")
        }
    }
}
