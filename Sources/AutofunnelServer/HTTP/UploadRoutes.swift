import Hummingbird

/// The routes that take a file upload: their body is read as it arrives, into files, up to the upload limit, so the
/// body-limit and idempotency middlewares (which read a whole body into memory) leave them alone. A retried upload
/// makes a second job, and the import journal makes that one resume or update, never duplicate.
enum UploadRoutes {
    static let paths: Set<String> = ["/api/v1/imports", "/api/v1/imports/preview"]

    static func matches(_ request: Request) -> Bool { request.method == .post && paths.contains(request.uri.path) }
}
