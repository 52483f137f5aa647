import AutofunnelEngine
import AutofunnelStore
import Crypto
import HTTPTypes
import Hummingbird
import NIOCore

/// `Idempotency-Key` on POST, with Stripe's semantics: a retry with the same key and body replays the first response
/// (errors too); the same key with a different request answers 422; while the first is still running, 409. Uploads
/// (`UploadRoutes`) are not held in memory to compare, so their key is not kept.
struct IdempotencyMiddleware<Context: RequestContext>: RouterMiddleware {
    let store: Store
    let clock: AppClock
    static var keyField: HTTPField.Name { HTTPField.Name("Idempotency-Key")! }
    static var replayedField: HTTPField.Name { HTTPField.Name("Idempotent-Replayed")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, let sent = request.headers[Self.keyField], !UploadRoutes.matches(request) else {
            return try await next(request, context)
        }
        // Keys belong to the caller, as at Stripe: two users choosing the same key never see each other's responses.
        let key = "\(Caller.current?.principal.user.id.rawValue ?? 0):\(sent)"
        guard (1...255).contains(sent.count) else {
            throw AppError.invalidParameter(
                "Idempotency-Key", ru: "Idempotency-Key — от 1 до 255 символов", en: "Idempotency-Key must have 1 to 255 characters")
        }
        var request = request
        let body = try await request.collectBody(upTo: .max)
        let fingerprint = Self.fingerprint(method: request.method.rawValue, path: request.uri.path, body: Array(body.readableBytesView))
        let now = clock.now()
        let claim = try await store.write { s in try await s.claimIdempotencyKey(key, fingerprint: fingerprint, at: now) }
        switch claim {
        case .mismatch: throw AppError.idempotencyMismatch
        case .inProgress: throw AppError.idempotencyInProgress
        case .appliedWithoutAnswer: throw AppError.idempotencyAnswerLost
        case .replay(let status, let contentType, let text):
            var headers = HTTPFields()
            if let contentType { headers[.contentType] = contentType }
            headers[Self.replayedField] = "true"
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        case .claimed:
            // The request and its answer commit in one transaction: a retry after any crash finds both or neither.
            return try await withoutActuallyEscaping(next) { next in try await runClaimed(key: key, request, context, next) }
        }
    }

    /// Runs a request whose key this call claimed, in one transaction with its stored answer.
    private func runClaimed(key: String, _ request: Request, _ context: Context, _ next: @escaping (Request, Context) async throws -> Response)
        async throws -> Response
    {
        // The handler runs within this call: `inRequestTransaction` only needs it to be sendable in form.
        nonisolated(unsafe) let run = { try await Store.$idempotencyKey.withValue(key) { try await next(request, context) } }
        let store = self.store
        do {
            let answer = try await store.inRequestTransaction {
                let response: Response
                do {
                    response = try await run()
                } catch {
                    guard let problem = Problem.from(error, requestID: RequestScope.current?.requestID), problem.status < 500 else { throw error }
                    response = problem.response()
                }
                return try await Self.collected(response)
            } finish: { s, answer in
                // A 5xx is not remembered: nothing it did is kept, and a retry runs again.
                guard answer.status.code < 500 else { throw DiscardedAnswer(answer) }
                try await s.completeIdempotencyKey(
                    key, status: answer.status.code, contentType: answer.headers[.contentType], body: String(buffer: answer.buffer))
            }
            if answer.status.code >= 500 { try? await store.write { s in try await s.releaseIdempotencyKey(key) } }
            return answer.response
        } catch {
            try? await store.write { s in try await s.releaseIdempotencyKey(key) }
            throw error
        }
    }

    /// What makes two requests "the same request": method, path and body.
    static func fingerprint(method: String, path: String, body: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(data: Array("\(method) \(path)\n".utf8))
        hasher.update(data: body)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// A response with its body read into memory, to store and to send.
    struct Collected: Sendable {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let buffer: ByteBuffer
        var response: Response { Response(status: status, headers: headers, body: .init(byteBuffer: buffer)) }
    }

    static func collected(_ response: Response) async throws -> Collected {
        let collector = BodyCollector()
        try await response.body.write(collector)
        return Collected(status: response.status, headers: response.headers, buffer: await collector.buffer)
    }
}

/// Collects a response body in memory.
actor BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()
    func write(_ part: ByteBuffer) async throws { buffer.writeImmutableBuffer(part) }
    nonisolated func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
