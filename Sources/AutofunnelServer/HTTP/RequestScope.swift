import AutofunnelEngine
import Logging

/// What every line of work inside one request knows: its id and its logger. Carried as a task-local value so that the
/// generated OpenAPI handlers, which never see the Hummingbird context, log with the request id too.
public struct RequestScope: Sendable {
    public let requestID: String
    public let logger: Logger

    @TaskLocal public static var current: RequestScope?
}
