import AutofunnelCore
import AutofunnelEngine
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// amoCRM's API v4 at `/api/v4/…`, and under any `/{account}.amocrm.ru/api/v4/…` prefix (amocrm-api builds its URLs
/// from a subdomain), so that integrations written for amoCRM work by changing one URL. Authenticated by
/// `Authorization: Bearer` with one of our API tokens — normally an amoCRM long-lived token (`AmoCRMToken`). Registered
/// before the API's auth middleware: it answers every error in amoCRM's format.
public enum AmoCRMEndpoint {
    /// Hosts an account prefix may name, as the clients build them.
    static let accountSuffixes = [".amocrm.ru", ".amocrm.com", ".kommo.com"]

    /// Adds the routes to `router` for every method a client may send (GET, POST and PATCH are served; PUT and DELETE
    /// answer 405 in amoCRM's format rather than falling through to our own API's errors); `scheme` is what this
    /// server speaks (for absolute links).
    public static func register(on router: Router<AppRequestContext>, services: AppServices, scheme: String = "http") {
        for method in [HTTPRequest.Method.get, .post, .patch, .put, .delete] {
            router.on("/api/v4/**", method: method) { request, context -> Response in
                await respond(request, context: context, services: services, scheme: scheme)
            }
            router.on("/:account/api/v4/**", method: method) { request, context -> Response in
                await respond(request, context: context, services: services, scheme: scheme)
            }
        }
    }

    /// The path split into the prefix up to `/api/v4` and the resource segments after it; nil for an account prefix
    /// that is not an amoCRM host.
    static func split(_ path: String) -> (prefix: String, segments: [String])? {
        guard let range = path.range(of: "/api/v4") else { return nil }
        let prefix = String(path[..<range.upperBound])
        let account = prefix.dropFirst().split(separator: "/").first.map(String.init) ?? ""
        if account != "api", !accountSuffixes.contains(where: { account.lowercased().hasSuffix($0) }) { return nil }
        let segments = path[range.upperBound...].split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        return (prefix, segments)
    }

    static func respond(_ request: Request, context: AppRequestContext, services: AppServices, scheme: String) async -> Response {
        var russian = false
        do {
            guard let (prefix, segments) = split(request.uri.path) else { throw AmoCRMError.notFound("No such resource") }
            guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
                let principal = try await services.auth.principal(bearer: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
            else { throw AmoCRMError.unauthorized }
            russian = principal.user.locale == .ru
            if request.method != .get { try principal.refuseChangeWithReadScope() }
            var request = request
            let body = try decode(try await request.limitedBody())
            // A TLS-terminating proxy says what the client spoke; anything but http or https is ignored.
            let forwarded = request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased()
            let proto = forwarded.flatMap { ["http", "https"].contains($0) ? $0 : nil } ?? scheme
            let host = request.head.authority ?? "127.0.0.1"
            let methods = AmoCRMMethods(
                services: services, principal: principal, base: "\(proto)://\(host)\(prefix)", rawQuery: request.uri.query ?? "",
                query: try BracketParameters.parse(query: request.uri.query ?? ""))
            let caller = Caller(principal: principal, sessionHash: nil, ip: context.clientIP)
            let reply = try await Caller.$current.withValue(caller) {
                try await methods.call(request.method, segments, body: body)
            }
            guard let value = reply else { return Response(status: .noContent) }
            return json(value, status: 200)
        } catch {
            let amo = AmoCRMError.from(error, russian: russian, requestID: nil)
            if amo.status >= 500 { services.logger.error("amoCRM request failed: \(error)") }
            return json(amo.body, status: amo.status)
        }
    }

    /// The JSON body, or null for none; anything else is a 400.
    static func decode(_ buffer: ByteBuffer) throws -> JSONValue {
        let text = String(buffer: buffer)
        guard !text.allSatisfy(\.isWhitespace) else { return .null }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            throw AmoCRMError.invalid("The body is not JSON")
        }
        return value
    }

    static func json(_ value: JSONValue, status: Int) -> Response {
        var response = DialectResponse.json(value, status: status)
        response.headers[.contentType] = status < 400 ? "application/hal+json" : "application/problem+json"
        return response
    }
}
