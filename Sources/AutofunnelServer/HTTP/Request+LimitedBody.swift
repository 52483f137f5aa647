import AutofunnelEngine
import Hummingbird
import NIOCore

extension Request {
    /// The whole body, up to `maximumBodySize`; a larger one is a 413. For routes outside the API's body-limit
    /// middleware (the other CRMs' dialects).
    mutating func limitedBody() async throws -> ByteBuffer {
        do {
            return try await collectBody(upTo: maximumBodySize)
        } catch {
            throw AppError.payloadTooLarge(maximumBodySize)
        }
    }
}
