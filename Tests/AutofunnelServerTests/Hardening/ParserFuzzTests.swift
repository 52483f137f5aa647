import AutofunnelCore
import Foundation
import PropertyBased
import Testing

@testable import AutofunnelEngine
@testable import AutofunnelServer

/// Property-based fuzzing of every parser that reads a caller's text: each must answer (a value or an error it
/// throws) for any input, never trap. `FUZZ_COUNT` sets the inputs per parser (scripts/test runs the default;
/// docs/SECURITY.md gives the long run).
@Suite("Hardening: parsers never trap")
struct ParserFuzzTests {
    static let count = Int(ProcessInfo.processInfo.environment["FUZZ_COUNT"] ?? "") ?? 300

    /// Text built from the pieces that break parsers: brackets, separators, signs, huge and tiny numbers, escapes.
    static func text(_ pieces: [String], length: ClosedRange<Int> = 0...40) -> Generator<String, AnySequence<Any>> {
        Gen<String?>.element(of: pieces).array(of: length).map { $0.compactMap { $0 }.joined() }.eraseToAny()
    }

    static let numbers = [
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "99999999999999999999999", "0", "-1", "1e308", "NaN",
        "0x7f", "1.5", "", "+5", "007",
    ]
    static let bracketPieces = ["[", "]", "[]", "=", "&", "%5B", "%5D", "%", "+", "a", "ID", ">", "<=", "fields", "filter", "|", "0"] + numbers

    @Test func bitrix24ParametersAnswerForAnyText() async {
        await propertyCheck(count: Self.count, input: Self.text(Self.bracketPieces, length: 0...200)) { query in
            do {
                let parsed = try BracketParameters.parse(query: query)
                #expect(Self.depth(.object(parsed)) <= BracketParameters.maximumDepth + 1)
            } catch let error as AppError {
                #expect(error.status == 400)
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test func deepParametersAreRefusedNotFollowed() throws {
        let deep = "fields" + String(repeating: "[a]", count: 50_000) + "=1"
        #expect(throws: AppError.self) { try BracketParameters.parse(query: deep) }
        let json = String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000)
        #expect(throws: (any Error).self) { try Bitrix24Params.read(query: nil, body: "{\"a\":" + json + "}", contentType: "application/json") }
    }

    @Test func amoCRMFiltersAnswerForAnyNumber() async {
        let value = Gen<String?>.element(of: Self.numbers + ["abc", "[]"]).map { $0 ?? "" }
        await propertyCheck(count: Self.count, input: value, value) { from, to in
            for field in ["created_at", "updated_at", "id"] {
                let query = "filter[\(field)][from]=\(from)&filter[\(field)][to]=\(to)&filter[\(field)][]=\(from)"
                let params = (try? BracketParameters.parse(query: query)) ?? [:]
                do {
                    _ = try AmoCRMFilter.contacts(params)
                } catch let error as AmoCRMError {
                    #expect(error.status == 400)
                } catch {
                    Issue.record("unexpected error \(error)")
                }
            }
        }
    }

    @Test func signatureHeadersAnswerForAnyTimestamp() async {
        let timestamp = Gen<String?>.element(of: Self.numbers).map { $0 ?? "" }
        await propertyCheck(count: Self.count, input: timestamp, Gen.int64(in: .min ... .max)) { sent, now in
            #expect(
                !WebhookSigner.verify(secret: "whsec_AAAA", id: "m1", timestamp: sent, signatures: "v1,x", body: "{}", now: Timestamp(millis: now)))
            _ = OutboxDelivery.retryAfterMillis(sent)
        }
        #expect(OutboxDelivery.retryAfterMillis("9223372036854775807") == OutboxDelivery.maximumRetryAfterSeconds * 1000)
        #expect(OutboxDelivery.retryAfterMillis("120") == 120_000)
        #expect(OutboxDelivery.retryAfterMillis("-5") == nil)
    }

    @Test func definitionFilesAnswerForAnyText() async {
        let pieces = ["key: a\n", "stages:\n", "- ", "  ", "&a ", "*a", "[", "]", "{", "}", ": ", "\n", "on: ", "true: ", "'", "\"", "!!str ", "? "]
        await propertyCheck(count: Self.count, input: Self.text(pieces, length: 0...60)) { text in
            do {
                _ = try PipelineService.parse(text)
            } catch let error as AppError {
                #expect(error.status == 400 || error.status == 422)
            } catch {
                #expect(error is Violation || error is Refusal, "unexpected error \(error)")
            }
        }
    }

    @Test func aliasBombsAndDeepNestingAreRefusedQuickly() throws {
        var bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for level in 1...8 {
            bomb +=
                "\(Character(UnicodeScalar(97 + level)!)): &\(Character(UnicodeScalar(97 + level)!)) ["
                + Array(repeating: "*\(Character(UnicodeScalar(96 + level)!))", count: 9).joined(separator: ",") + "]\n"
        }
        #expect(bomb.utf8.count < 1000)
        #expect(throws: AppError.self) { try PipelineService.parse(bomb) }
        #expect(throws: AppError.self) { try PipelineService.parse(String(repeating: "[", count: 100_000)) }
        #expect(throws: AppError.self) { try PipelineService.parse(String(repeating: "- ", count: 3000) + "x") }
    }

    @Test func moneyAnswersForAnyText() async {
        let pieces = ["0", "9", ".", "-", "+", "e", "99999999999999", "0000000000000000000001", " ", ",", "٣"]
        await propertyCheck(count: Self.count, input: Self.text(pieces, length: 0...8)) { text in
            if case .success(let money) = Money.parse(text, currency: CurrencyCode("RUB")!) {
                #expect(money.scaledUnits >= 0)
                #expect(Money.parse(money.decimalText, currency: CurrencyCode("RUB")!) == .success(money))
            }
        }
    }

    @Test func logLinesNeverCarryACredential() {
        let token = "aft_" + String(repeating: "Zx9", count: 12)
        for line in [
            "/rest/3/\(token)/crm.deal.list", "//rest/3/\(token)/crm.deal.list", "/rest//3/\(token)/x", "//rest//3//\(token)//x",
            "/rest/3/plainkey123/crm.deal.get.json", "Authorization: Bearer \(token)", #"["authorization": "Bearer \#(token)"]"#,
            "cookie: af_session=0123456789abcdef", "secret whsec_QUJDRA==", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.c2lnbmF0dXJl",
        ] {
            let redacted = SecretRedactor.redact(line)
            #expect(!redacted.contains(token) && !redacted.contains("plainkey123") && !redacted.contains("0123456789abcdef"), "\(redacted)")
            #expect(!redacted.contains("QUJDRA") && !redacted.contains("c2lnbmF0dXJl"), "\(redacted)")
        }
        #expect(SecretRedactor.redact("/api/v1/deals/5") == "/api/v1/deals/5")
    }

    static func depth(_ value: JSONValue) -> Int {
        switch value {
        case .object(let o): 1 + (o.values.map(depth).max() ?? 0)
        case .array(let a): 1 + (a.map(depth).max() ?? 0)
        default: 0
        }
    }
}
