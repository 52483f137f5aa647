import AutofunnelCore
import AutofunnelEngine
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Bitrix24's inbound-webhook REST dialect at `/rest/{userId}/{key}/{method}` (with or without `.json`), so that
/// integrations written for Bitrix24 work by changing one URL. `{key}` is one of our API tokens and must belong to
/// user `{userId}`. Registered before the API's auth middleware: this endpoint authenticates by the path itself and
/// answers every error in Bitrix24's format, never with a redirect.
public enum Bitrix24Endpoint {
    /// Adds the routes to `router`: GET and POST as the clients send them, and PUT, PATCH and DELETE read the same way
    /// (Bitrix24 takes a method's parameters whatever the verb), so that no request here ends in our own API's errors.
    /// A path without a method name is a call of an unknown method.
    public static func register(on router: Router<AppRequestContext>, services: AppServices) {
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            for path in ["/rest/:userId/:key/:method", "/rest/:userId/:key"] {
                router.on(RouterPath(path), method: method) { request, context -> Response in
                    await respond(request, context: context, services: services)
                }
            }
        }
    }

    /// The path with a webhook key replaced by `***`: the key is a credential and must not reach the logs.
    public static func redacted(_ path: String) -> String { SecretRedactor.redact(path) }

    static func respond(_ request: Request, context: AppRequestContext, services: AppServices) async -> Response {
        let started = Date()
        var russian = false
        do {
            let userID = context.parameters.get("userId").flatMap { Int64($0) }
            let key = context.parameters.get("key") ?? ""
            var method = context.parameters.get("method") ?? ""
            if method.lowercased().hasSuffix(".json") { method = String(method.dropLast(5)) }
            guard let userID, let principal = try await services.auth.principal(bearer: key), principal.user.id.rawValue == userID else {
                throw Bitrix24Error.invalidCredentials
            }
            russian = principal.user.locale == .ru
            var request = request
            let body = try await request.limitedBody()
            let params = try Bitrix24Params.read(
                query: request.uri.query, body: String(buffer: body), contentType: request.headers[.contentType])
            let caller = Caller(principal: principal, sessionHash: nil, ip: context.clientIP)
            let methods = Bitrix24Methods(services: services, principal: principal)
            let reply = try await Caller.$current.withValue(caller) { try await methods.call(method, params) }
            var envelope: [String: JSONValue] = ["result": reply.result, "time": Bitrix24Time(start: started, finish: Date()).json]
            if let total = reply.total { envelope["total"] = .number(Double(total)) }
            if let next = reply.next { envelope["next"] = .number(Double(next)) }
            return DialectResponse.json(.object(envelope), status: 200)
        } catch {
            let b24 = Bitrix24Error.from(error, russian: russian)
            if b24.status >= 500 { services.logger.error("Bitrix24 method failed: \(error)") }
            return DialectResponse.json(b24.body, status: b24.status)
        }
    }

}

/// The `time` of a Bitrix24 answer: `start`, `finish`, `duration`, `processing`, `date_start`, `date_finish`
/// (never `operating`: fast-bitrix24 would throttle on it).
struct Bitrix24Time {
    var start: Date
    var finish: Date

    var json: JSONValue {
        let duration = finish.timeIntervalSince(start)
        func iso(_ d: Date) -> JSONValue { Bitrix24Methods.iso(Timestamp(checkedSeconds: d.timeIntervalSince1970) ?? Timestamp(millis: 0)) }
        return .object([
            "start": .number(start.timeIntervalSince1970), "finish": .number(finish.timeIntervalSince1970), "duration": .number(duration),
            "processing": .number(duration), "date_start": iso(start), "date_finish": iso(finish),
        ])
    }
}
