import Foundation

/// Fetches pages from the other CRM into files of the work folder: a page already there is read from its file and
/// never asked for again, so a run cut half-way fetches only what it lacks. Every request waits for the rate limiter;
/// "slow down" answers (429, 503, Bitrix24's `QUERY_LIMIT_EXCEEDED`) are waited out — `Retry-After` when sent, else a
/// doubling back-off — and retried; any other failure stops the import with the address and status.
public actor LiveFetcher {
    let transport: LiveTransport
    let limiter: RateLimiter
    let clock: LiveClock
    /// Where the pages are kept.
    public let folder: URL
    /// The address as shown in messages (secrets masked).
    let shown: @Sendable (String) -> String
    let maxTries: Int
    /// Requests sent, retries among them, and pages read from files instead.
    public private(set) var sent = 0
    public private(set) var retried = 0
    public private(set) var cached = 0
    /// Pages stored by this run from inside another answer: reading them back is no page saved from an earlier run.
    var storedNow: Set<String> = []

    /// A fetcher keeping pages in `folder`.
    public init(
        transport: LiveTransport, limiter: RateLimiter, clock: LiveClock, folder: URL, maxTries: Int = 8,
        shown: @escaping @Sendable (String) -> String = { $0 }
    ) {
        self.transport = transport
        self.limiter = limiter
        self.clock = clock
        self.folder = folder
        self.maxTries = max(1, maxTries)
        self.shown = shown
    }

    /// The page called `name`: from its file, else fetched with `request` and stored. Nil for an empty answer (204).
    public func page(_ name: String, _ request: LiveTransport.Request) async throws -> Data? {
        let file = folder.appendingPathComponent(name + ".json")
        if let stored = try? Data(contentsOf: file) {
            if !storedNow.contains(name) { cached += 1 }
            return stored.isEmpty ? nil : stored
        }
        let body = try await fetch(request)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try (body ?? Data()).write(to: file, options: .atomic)
        return body
    }

    /// Whether the page called `name` is stored already.
    public func has(_ name: String) -> Bool { FileManager.default.fileExists(atPath: folder.appendingPathComponent(name + ".json").path) }

    /// Stores `body` as the page called `name` (pages that arrive inside another answer, as Bitrix24's `batch` does).
    public func store(_ name: String, _ body: Data) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try body.write(to: folder.appendingPathComponent(name + ".json"), options: .atomic)
        storedNow.insert(name)
    }

    /// Sends `request` until it succeeds; nil for 204.
    public func fetch(_ request: LiveTransport.Request) async throws -> Data? {
        let url = shown(request.url)
        var tries = 0
        while true {
            tries += 1
            try await limiter.acquire()
            sent += 1
            let response: LiveTransport.Response
            do {
                response = try await transport.send(request)
            } catch let error as LiveTransport.BodyTooLarge {
                throw LiveImportError.malformed(url: url, reason: error.description)
            } catch {
                guard tries < min(maxTries, 3) else { throw LiveImportError.unreachable(url: url, reason: "\(error)") }
                retried += 1
                try await clock.sleep(backoff(tries))
                continue
            }
            guard response.body.count <= LiveTransport.bodyLimit else {
                throw LiveImportError.malformed(url: url, reason: LiveTransport.BodyTooLarge(limit: LiveTransport.bodyLimit).description)
            }
            if response.status == 204 { return nil }
            if (200..<300).contains(response.status) { return response.body }
            guard Self.slowDown(response) else {
                throw LiveImportError.status(url: url, status: response.status, detail: Self.detail(response.body))
            }
            guard tries < maxTries else { throw LiveImportError.stillLimited(url: url, status: response.status, tries: tries) }
            retried += 1
            try await clock.sleep(Self.retryAfter(response.retryAfter) ?? backoff(tries))
        }
    }

    /// 0.5 s, 1 s, 2 s, … up to 30 s.
    func backoff(_ tries: Int) -> Double { min(30, 0.5 * Double(1 << min(tries - 1, 10))) }

    /// Whether the answer means "too many requests, come back later".
    static func slowDown(_ r: LiveTransport.Response) -> Bool {
        if r.status == 429 || r.status == 503 { return true }
        guard r.status >= 400, r.body.count < 4096 else { return false }
        return String(decoding: r.body, as: UTF8.self).contains("QUERY_LIMIT_EXCEEDED")
    }

    /// `Retry-After` in seconds (a number from 0 to 300); an HTTP date or anything else is ignored.
    static func retryAfter(_ header: String?) -> Double? {
        guard let text = header?.trimmingCharacters(in: .whitespaces), let seconds = Double(text), seconds.isFinite, seconds >= 0 else {
            return nil
        }
        return min(seconds, 300)
    }

    /// The start of an error body, on one line, for the message.
    static func detail(_ body: Data) -> String {
        let text = String(decoding: body.prefix(300), as: UTF8.self).split(whereSeparator: \.isNewline).joined(separator: " ")
        return text.trimmingCharacters(in: .whitespaces)
    }
}
