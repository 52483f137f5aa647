import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// A JSON response as tests read it.
public struct APIResponse: Sendable {
    public let status: Int
    public let headers: HTTPFields
    public let text: String

    /// The body parsed as JSON (dictionary, array, string, number or null).
    public var json: Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) }
    /// The body as a JSON object.
    public var object: [String: Any] { json as? [String: Any] ?? [:] }
    /// `errors[].rule` of a problem body.
    public var ruleList: [String] { (object["errors"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String } }
    /// `errors[].field` of a problem body.
    public var fieldList: [String] { (object["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String } }
    public var contentType: String? { headers[.contentType] }
}

/// Runs requests against the real router and middleware, in process.
public struct APITester: Sendable {
    let client: any TestClientProtocol
    /// Headers sent with every request unless the request sets them: the credential of the user the test acts as.
    public var defaultHeaders: [String: String] = [:]

    public init(client: any TestClientProtocol) { self.client = client }

    /// The same client acting with another bearer token (nil: no credential at all).
    public func with(token: String?) -> APITester {
        var copy = self
        copy.defaultHeaders["Authorization"] = token.map { "Bearer \($0)" }
        return copy
    }

    /// Sends a request; `json` is encoded with JSONSerialization, `raw` is sent as it is.
    public func request(
        _ method: HTTPRequest.Method, _ path: String, json: Any? = nil, raw: String? = nil, headers: [String: String] = [:]
    ) async throws -> APIResponse {
        var fields = HTTPFields()
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed, .sortedKeys]))
            fields[.contentType] = "application/json"
        }
        if let raw {
            body = ByteBuffer(string: raw)
            fields[.contentType] = "application/json"
        }
        for (name, value) in defaultHeaders.merging(headers, uniquingKeysWith: { $1 }) { fields[HTTPField.Name(name)!] = value }
        return try await client.execute(uri: path, method: method, headers: fields, body: body) { response in
            APIResponse(status: response.status.code, headers: response.headers, text: String(buffer: response.body))
        }
    }
}

extension APITester {
    /// POSTs `json` signed per Standard Webhooks with `secret` at `seconds` (how outside systems call callbacks and
    /// channel routes); the body is sent exactly as signed.
    public func signed(_ path: String, json: Any, secret: String, id: String, seconds: Int64) async throws -> APIResponse {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self)
        let signature = WebhookSigner.signature(secret: secret, id: id, timestamp: seconds, body: text)
        return try await request(
            .post, path, raw: text, headers: ["webhook-id": id, "webhook-timestamp": String(seconds), "webhook-signature": signature])
    }
}

extension TestServices {
    /// Runs `body` with an in-process client of the full application (router, middleware, problem mapping), signed in
    /// with an API token of `user` (default: the admin); `anonymous` sends no credential.
    public func withAPI<T: Sendable>(
        as user: User? = nil, scope: TokenScope = .admin, anonymous: Bool = false, _ body: @escaping @Sendable (APITester) async throws -> T
    ) async throws -> T {
        let token = anonymous ? nil : try await self.token(for: user ?? admin, scope: scope)
        let app = try buildApplication(services)
        return try await app.test(.router) { client in try await body(APITester(client: client).with(token: token)) }
    }
}
