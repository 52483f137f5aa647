import AutofunnelEngine
import Hummingbird

/// Reads the whole body up front with a size limit, so an oversized body is a 413 before any handler runs.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw AppError.payloadTooLarge(limit) }
        var request = request
        do {
            _ = try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw AppError.payloadTooLarge(limit)
        }
        return try await next(request, context)
    }
}
