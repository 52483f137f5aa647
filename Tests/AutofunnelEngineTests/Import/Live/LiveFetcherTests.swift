import Foundation
import Testing

@testable import AutofunnelEngine

@Suite("Live import: fetching pages")
struct LiveFetcherTests {
    static func fetcher(_ transport: RecordingTransport, _ folder: PageFolder, maxTries: Int = 8) -> LiveFetcher {
        LiveFetcher(
            transport: transport.transport, limiter: RateLimiter(rate: 7, clock: transport.clock.live), clock: transport.clock.live,
            folder: folder.url, maxTries: maxTries, shown: Bitrix24Source.masked)
    }

    static let request = LiveTransport.Request(url: "https://portal.example/rest/1/secretkey/crm.deal.list.json")

    @Test func a429IsWaitedOutForItsRetryAfterAndRetried() async throws {
        let clock = SteppingClock()
        let transport = RecordingTransport(clock: clock) { _, n in
            n == 1 ? .init(status: 429, retryAfter: "3", body: Data()) : .json(#"{"result":[]}"#)
        }
        let folder = PageFolder()
        defer { folder.remove() }
        let fetcher = Self.fetcher(transport, folder)
        let page = try await fetcher.page("deals-000000", Self.request)
        #expect(page.map { String(decoding: $0, as: UTF8.self) } == #"{"result":[]}"#)
        #expect(transport.requests.count == 2)
        #expect(transport.times[1] - transport.times[0] >= 3, "the retry came after Retry-After")
        #expect(await fetcher.retried == 1)
    }

    @Test func bitrixQueryLimitExceededBacksOffLongerEachTime() async throws {
        let clock = SteppingClock()
        let transport = RecordingTransport(clock: clock) { _, n in
            n <= 3 ? .json(#"{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}"#, status: 503) : .json("{}")
        }
        let folder = PageFolder()
        defer { folder.remove() }
        _ = try await Self.fetcher(transport, folder).fetch(Self.request)
        let gaps = zip(transport.times.dropFirst(), transport.times).map { $0 - $1 }
        #expect(transport.requests.count == 4)
        #expect(gaps[0] >= 0.5 && gaps[1] >= 1 && gaps[2] >= 2, "doubling back-off: \(gaps)")
    }

    @Test func anotherErrorStopsWithTheAddressAndStatusAndTheWebhookKeyMasked() async throws {
        let clock = SteppingClock()
        let transport = RecordingTransport(clock: clock) { _, _ in .json(#"{"error":"INVALID_CREDENTIALS"}"#, status: 401) }
        let folder = PageFolder()
        defer { folder.remove() }
        let error = await #expect(throws: LiveImportError.self) { try await Self.fetcher(transport, folder).fetch(Self.request) }
        let text = error?.description ?? ""
        #expect(text.contains("https://portal.example/rest/1/***/crm.deal.list.json answered HTTP 401"), "\(text)")
        #expect(text.contains("INVALID_CREDENTIALS") && !text.contains("secretkey"))
        #expect(transport.requests.count == 1, "not retried")
    }

    @Test func aLimitThatNeverLiftsStopsAfterTheLastTry() async throws {
        let clock = SteppingClock()
        let transport = RecordingTransport(clock: clock) { _, _ in .init(status: 429, retryAfter: "100000") }
        let folder = PageFolder()
        defer { folder.remove() }
        await #expect(throws: LiveImportError.stillLimited(url: "https://portal.example/rest/1/***/crm.deal.list.json", status: 429, tries: 4)) {
            try await Self.fetcher(transport, folder, maxTries: 4).fetch(Self.request)
        }
        #expect(clock.sleeps.allSatisfy { $0 <= 300 }, "a Retry-After of a day is waited at most five minutes: \(clock.sleeps)")
    }

    @Test func aBodyOverTheLimitIsRefusedNotRead() async throws {
        let clock = SteppingClock()
        let transport = RecordingTransport(clock: clock) { _, _ in .init(status: 200, body: Data(count: LiveTransport.bodyLimit + 1)) }
        let folder = PageFolder()
        defer { folder.remove() }
        let error = await #expect(throws: LiveImportError.self) { try await Self.fetcher(transport, folder).fetch(Self.request) }
        #expect(error?.description.contains("over 32 MB") == true)
    }

    @Test func aPageInTheWorkFolderIsNotFetchedAgain() async throws {
        let clock = SteppingClock()
        let transport = RecordingTransport(clock: clock) { _, n in .json(#"{"n":\#(n)}"#) }
        let folder = PageFolder()
        defer { folder.remove() }
        let first = try await Self.fetcher(transport, folder).page("leads-000001", Self.request)
        let again = Self.fetcher(transport, folder)
        let second = try await again.page("leads-000001", Self.request)
        #expect(first == second && transport.requests.count == 1)
        let (cached, sent) = (await again.cached, await again.sent)
        #expect(cached == 1 && sent == 0)
    }

    @Test func aNoContentAnswerIsAnEmptyPageAndStaysOne() async throws {
        let clock = SteppingClock()
        let transport = RecordingTransport(clock: clock) { _, _ in .init(status: 204) }
        let folder = PageFolder()
        defer { folder.remove() }
        #expect(try await Self.fetcher(transport, folder).page("events-000009", Self.request) == nil)
        #expect(try await Self.fetcher(transport, folder).page("events-000009", Self.request) == nil)
        #expect(transport.requests.count == 1)
    }
}
