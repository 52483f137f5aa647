import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime

/// The largest request body the API reads.
public let maximumBodySize = 1_048_576

/// The router with every route: the OpenAPI-generated REST API under `/api/v1`, the spec itself, health and metrics,
/// the web pages and the Bitrix24 and amoCRM dialects; `scheme` is what the server speaks (for absolute links).
public func buildRouter(_ services: AppServices, scheme: String = "http") throws -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.get("/health") { _, _ -> Response in
        // 200 only when the database answers and takes writes: a balancer stops sending to a degraded instance, which
        // comes back by itself once a probe write succeeds.
        let up = await services.store.ping()
        let writes = up ? await services.store.writeProblem() : nil
        let status = !up ? "unavailable" : writes == nil ? "ok" : "degraded"
        var body: [String: String] = ["status": status, "database": services.store.backend.name, "writes": writes == nil && up ? "ok" : "failing"]
        if let writes { body["error"] = writes }
        let json = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if status != "ok" { headers[.retryAfter] = "5" }
        return Response(status: status == "ok" ? .ok : .serviceUnavailable, headers: headers, body: .init(byteBuffer: .init(bytes: json)))
    }
    router.get("/metrics") { _, _ -> Response in
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(string: services.metrics.exposition())))
    }
    router.get("/api/v1/openapi.yaml") { _, _ -> Response in
        var headers = HTTPFields()
        headers[.contentType] = "application/yaml"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(string: try OpenAPISpec.text())))
    }
    Pages.register(on: router, services: services)
    try Web.register(on: router, services: services)
    Bitrix24Endpoint.register(on: router, services: services)
    AmoCRMEndpoint.register(on: router, services: services, scheme: scheme)
    router.add(middleware: BodyLimitMiddleware(limit: maximumBodySize, uploadLimit: services.importJobs.uploads.limit))
    router.add(middleware: AuthMiddleware(auth: services.auth))
    router.add(middleware: IdempotencyMiddleware(store: services.store, clock: services.clock))
    try APIHandler(services: services).registerHandlers(
        on: router, serverURL: URL(string: "/api/v1")!, configuration: Configuration(dateTranscoder: FlexibleDateTranscoder()),
        middlewares: [CSVDownload(), PlainLocation()])
    return router
}

/// The HTTP application: the router wrapped in `AppResponder` (request ids, problem+json, metrics); with `tls`, it
/// speaks only HTTPS.
public func buildApplication(
    _ services: AppServices, host: String = "127.0.0.1", port: Int = 8080, tls: TLSFiles? = nil,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let router = try buildRouter(services, scheme: tls == nil ? "http" : "https")
    // A connection must finish each request head in time, and one that sends nothing for a minute is closed.
    let http1 = HTTP1Channel.Configuration(additionalChannelHandlers: [RequestHeadDeadline()], idleTimeout: .seconds(60))
    var server = HTTPServerBuilder.http1(configuration: http1)
    if let tls { server = try .tls(.http1(configuration: http1), tlsConfiguration: try tls.configuration()) }
    return Application(
        responder: AppResponder(inner: router.buildResponder(), metrics: services.metrics),
        server: server,
        configuration: .init(address: .hostname(host, port: port), serverName: "autofunnel"),
        onServerRunning: onServerRunning,
        logger: services.logger)
}

/// The OpenAPI document shipped with the binary.
public enum OpenAPISpec {
    /// The text of `openapi.yaml`.
    public static func text() throws -> String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw AppError.notFound("openapi.yaml is not bundled")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
