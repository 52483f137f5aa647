import AutofunnelEngine
import Hummingbird

/// Reads the whole body up front with a size limit, so an oversized body is a 413 before any handler runs. Uploads
/// (`UploadRoutes`) are read by their handler as they arrive, up to `uploadLimit`: here only a declared length over it
/// is refused.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int
    let uploadLimit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let length = request.headers[.contentLength].flatMap(Int.init)
        if UploadRoutes.matches(request) {
            if let length, length > uploadLimit { throw AppError.payloadTooLarge(uploadLimit) }
            return try await next(request, context)
        }
        if let length, length > limit { throw AppError.payloadTooLarge(limit) }
        var request = request
        do {
            _ = try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw AppError.payloadTooLarge(limit)
        }
        return try await next(request, context)
    }
}
