import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Wraps the router: gives each request an id (logged on every line and returned in `X-Request-Id` and problem bodies),
/// turns every error — including unknown routes — into problem+json, and records request metrics by route and status.
public struct AppResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == AppRequestContext {
    public typealias Context = AppRequestContext
    let inner: Inner
    let metrics: AppMetrics
    static var requestIDField: HTTPField.Name { HTTPField.Name("X-Request-Id")! }

    /// The policy of HTML that is not one of our pages (a rendered document): nothing runs, nothing loads but
    /// images and inline styles, no form posts, and it opens sandboxed, as a page of its own origin.
    static var documentPolicy: String {
        "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"
    }

    /// Every answer says `nosniff`; HTML without a policy of its own (documents rendered from templates) gets
    /// `documentPolicy` and an explicit charset, so a browser never guesses either.
    static func secure(_ headers: inout HTTPFields) {
        let nosniff = HTTPField.Name("X-Content-Type-Options")!
        if headers[nosniff] == nil { headers[nosniff] = "nosniff" }
        guard let type = headers[.contentType], type.lowercased().hasPrefix("text/html") else { return }
        if !type.lowercased().contains("charset") { headers[.contentType] = "text/html; charset=utf-8" }
        let policy = HTTPField.Name("Content-Security-Policy")!
        if headers[policy] == nil { headers[policy] = documentPolicy }
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let incoming = request.headers[Self.requestIDField].flatMap {
            $0.count <= 100 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } ? $0 : nil
        }
        let requestID = incoming ?? RandomUUID.string()
        var context = context
        context.logger[metadataKey: "request_id"] = .string(requestID)
        let logger = context.logger
        var response = await RequestScope.$current.withValue(RequestScope(requestID: requestID, logger: logger)) { [context] in
            do {
                let response = try await inner.respond(to: request, context: context)
                // The router answers unknown routes itself, in plain text; ours are problems like every other error.
                if response.status == .notFound && context.endpointPath == "NotFound" {
                    return Problem.describing(.notFound("No route \(request.method.rawValue) \(request.uri.path)"), requestID: requestID).response()
                }
                return response
            } catch {
                if let problem = Problem.from(error, requestID: requestID) {
                    logger.info("request refused", metadata: ["status": "\(problem.status)", "detail": "\(problem.detail ?? "")"])
                    return problem.response()
                }
                if StoreError.isDatabaseError(error) { metrics.databaseError() }
                logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
                return Problem.internalError(requestID: requestID).response()
            }
        }
        response.headers[Self.requestIDField] = requestID
        Self.secure(&response.headers)
        let elapsed = ContinuousClock.now - started
        let nanos = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        metrics.request(method: request.method.rawValue, route: context.endpointPath ?? "NotFound", status: response.status.code, nanoseconds: nanos)
        logger.info(
            "request served",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(SecretRedactor.redact(request.uri.path))", "status": "\(response.status.code)",
                "duration_ms": "\(nanos / 1_000_000)",
            ])
        return response
    }
}
