import AutofunnelCore
import AutofunnelEngine
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OpenAPIRuntime

/// An RFC 9457 problem document with field-level entries. The one place where errors become HTTP responses.
struct Problem: Encodable {
    /// A field-level entry.
    struct Entry: Encodable {
        var field: String?
        var stage: String?
        var rule: String
        var message: String
        var messageRu: String
    }

    var type: String
    var title: String
    var status: Int
    var detail: String?
    var requestId: String?
    var errors: [Entry]
    /// Seconds for `Retry-After` (429).
    var retryAfter: Int?
    /// The record a create would have duplicated (409 `duplicate`).
    var existingId: Int64?
    /// Every record found (409 `duplicate`), `existingId` first.
    var existingIds: [Int64]?

    enum CodingKeys: String, CodingKey { case type, title, status, detail, requestId, errors, existingId, existingIds }

    static let contentType = "application/problem+json"

    init(status: Int, slug: String, title: String, detail: String?, requestID: String?, violations: [Violation] = []) {
        type = "urn:autofunnel:problem:\(slug)"
        self.title = title
        self.status = status
        self.detail = detail
        self.requestId = requestID
        errors = violations.map {
            Entry(field: $0.field, stage: $0.stage?.rawValue, rule: $0.rule.rawValue, message: $0.message.en, messageRu: $0.message.ru)
        }
    }

    /// The problem for any error a request can end with. Errors we do not know are 500s and are logged.
    static func from(_ error: any Error, requestID: String?) -> Problem? {
        var error = error
        while let wrapped = (error as? ServerError)?.underlyingError { error = wrapped }
        if let app = AppError.from(error) { return describing(app, requestID: requestID) }
        if let decoding = error as? DecodingError {
            let path = DecodingErrorText.path(decoding)
            let violation = Violation(
                rule: .invalidValue, field: path.isEmpty ? nil : path,
                message: .init(
                    ru: "Тело запроса не читается: \(DecodingErrorText.describe(decoding))",
                    en: "The request body cannot be read: \(DecodingErrorText.describe(decoding))"))
            return Problem(
                status: 400, slug: "malformed-request", title: "Malformed request", detail: violation.message.en, requestID: requestID,
                violations: [violation])
        }
        if let http = error as? HTTPError {
            let status = http.status.code
            let title = http.status.reasonPhrase
            return Problem(
                status: status, slug: title.lowercased().replacingOccurrences(of: " ", with: "-"), title: title, detail: http.body,
                requestID: requestID)
        }
        if let runtime = error as? any HTTPResponseConvertible, runtime.httpStatus.code < 500 {
            return Problem(
                status: runtime.httpStatus.code, slug: "bad-request", title: runtime.httpStatus.reasonPhrase, detail: "\(error)", requestID: requestID
            )
        }
        return nil
    }

    static func describing(_ error: AppError, requestID: String?) -> Problem {
        switch error {
        case .refused(let v):
            let moveRules: Set<Violation.Rule> = [
                .requiredField, .policyForbids, .lossCommentRequired, .closedDeal, .sameStage, .notClosed, .reasonRequired,
            ]
            let isMove = v.contains { moveRules.contains($0.rule) }
            return Problem(
                status: 422, slug: isMove ? "transition-refused" : "validation-failed",
                title: isMove ? "The change was refused" : "Validation failed",
                detail: v.map(\.message.en).joined(separator: "; "), requestID: requestID, violations: v)
        case .badRequest(let detail, let v):
            return Problem(status: 400, slug: "malformed-request", title: "Malformed request", detail: detail, requestID: requestID, violations: v)
        case .notFound(let detail):
            return Problem(status: 404, slug: "not-found", title: "Not found", detail: detail, requestID: requestID)
        case .conflict(let detail):
            return Problem(status: 409, slug: "conflict", title: "Conflict", detail: detail, requestID: requestID)
        case .duplicate(let existing):
            var p = Problem(
                status: 409, slug: "duplicate", title: "Duplicate", detail: existing.message.en, requestID: requestID,
                violations: [Violation(rule: .duplicate, field: nil, message: existing.message)])
            p.existingId = existing.id
            p.existingIds = existing.ids
            return p
        case .payloadTooLarge(let limit):
            return Problem(
                status: 413, slug: "payload-too-large", title: "Payload too large", detail: "The body exceeds \(limit) bytes", requestID: requestID)
        case .idempotencyMismatch:
            return Problem(
                status: 422, slug: "idempotency-key-reused", title: "Idempotency key reused",
                detail: "This Idempotency-Key was used with a different request", requestID: requestID)
        case .unauthenticated:
            return Problem(
                status: 401, slug: "unauthenticated", title: "Sign-in required",
                detail: "Sign in, or send a valid API token as Authorization: Bearer; a wrong e-mail or password answers this too",
                requestID: requestID)
        case .forbidden(let v):
            return Problem(
                status: 403, slug: "forbidden", title: "Forbidden", detail: v.map(\.message.en).joined(separator: "; "), requestID: requestID,
                violations: v)
        case .tooManyRequests(let seconds):
            var p = Problem(
                status: 429, slug: "too-many-attempts", title: "Too many attempts",
                detail: "Too many failed sign-ins; try again in \(seconds) s", requestID: requestID)
            p.retryAfter = seconds
            return p
        case .unavailable(let seconds):
            var p = Problem(
                status: 503, slug: "storage-unavailable", title: "Storage unavailable",
                detail: "The database cannot take this request now (nothing of it was saved); retry in \(seconds) s", requestID: requestID)
            p.retryAfter = seconds
            return p
        case .idempotencyInProgress:
            return Problem(
                status: 409, slug: "idempotency-key-in-use", title: "Request in progress",
                detail: "A request with this Idempotency-Key is still running; retry later", requestID: requestID)
        case .idempotencyAnswerLost:
            return Problem(
                status: 409, slug: "idempotency-answer-lost", title: "Applied, answer lost",
                detail: "A request with this Idempotency-Key was applied, but the server stopped before storing its answer; look the result up",
                requestID: requestID)
        }
    }

    static func internalError(requestID: String?) -> Problem {
        Problem(
            status: 500, slug: "internal-error", title: "Internal server error", detail: "The error was logged with this request id",
            requestID: requestID)
    }

    func response() -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = Self.contentType
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if status == 401 { headers[.wwwAuthenticate] = #"Bearer realm="autofunnel""# }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
