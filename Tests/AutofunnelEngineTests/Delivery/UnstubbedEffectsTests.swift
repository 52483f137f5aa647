import AutofunnelCore
import AutofunnelStore
import AutofunnelTestSupport
import NIOHTTP1
import Testing

@testable import AutofunnelEngine

/// The test values of the outside services refuse loudly, naming what was touched, so a test that sends without setting
/// up a double fails instead of reaching the network.
@Suite("Outside effects a test did not stub")
struct UnstubbedEffectsTests {
    static let destination = WebhookPolicy.Destination(host: "127.0.0.1", port: 9, address: TestServices.loopback)

    @Test func theUnimplementedMailerNamesWhatWasTouched() async throws {
        let letter = Mailer.Letter(
            url: "smtp://127.0.0.1:9", destination: Self.destination, from: "a@shop.example", to: ["b@client.example"], subject: "s", text: "t",
            messageID: "msg_1")
        let error = await #expect(throws: Unstubbed.self) { try await Mailer.unimplemented.send(letter) }
        #expect(error?.description == "Mailer.send was not stubbed")
    }

    @Test func theUnimplementedTransportNamesWhatWasTouched() async throws {
        let post = WebhookTransport.Post(
            url: "http://127.0.0.1:9/hook", headers: HTTPHeaders(), body: "{}", destination: Self.destination, timeout: .seconds(1))
        let error = await #expect(throws: Unstubbed.self) { _ = try await WebhookTransport.unimplemented.post(post) }
        #expect(error?.description == "WebhookTransport.post was not stubbed")
    }

    @Test func mailThroughAnUnstubbedMailerIsNotDeliveredAndSaysWhy() async throws {
        try await TestServices.with(sales: false) { t in
            let id = try await t.enqueue("message.email", data: ["to": "anna@client.example"], for: try await t.mailChannel())
            #expect(try await t.delivery().deliverDue() == 1)
            let message = try await t.message(id)
            #expect(message.status == .pending && message.lastError == "Mailer.send was not stubbed")
        }
    }

    @Test func aWebhookThroughAnUnstubbedTransportIsNotDeliveredAndSaysWhy() async throws {
        try await TestServices.with(sales: false) { t in
            let id = try await t.enqueue("deal.created", data: ["id": 1], for: try await t.webhook())
            #expect(try await t.delivery(mailer: ScriptedMailServer().mailer).deliverDue() == 1)
            let message = try await t.message(id)
            #expect(message.status == .pending && message.lastError == "WebhookTransport.post was not stubbed")
        }
    }
}
