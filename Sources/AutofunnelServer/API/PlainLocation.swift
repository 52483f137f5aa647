import Foundation
import HTTPTypes
import OpenAPIRuntime

/// A `Location` the API answers is an address and goes out as one: the generated layer percent-encodes every header
/// value a handler sets (`/api/v1/imports/1` would leave as `%2Fapi%2Fv1%2Fimports%2F1`), so it is put back here.
struct PlainLocation: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var (response, body) = try await next(request, body, metadata)
        if let location = response.headerFields[.location], let plain = location.removingPercentEncoding, plain.hasPrefix("/") {
            response.headerFields[.location] = plain
        }
        return (response, body)
    }
}
