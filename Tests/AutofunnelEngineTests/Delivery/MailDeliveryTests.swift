import AutofunnelCore
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

@testable import AutofunnelEngine

/// E-mail delivery as the SMTP server and the recipient see it, with the mailer played by a double: no socket is opened.
@Suite("Outbox delivery: e-mail through the mailer")
struct MailDeliveryTests {
    static var offer: [String: Any] { ["to": "anna@client.example", "subject": "Предложение для Анна", "text": "Здравствуйте, Анна!"] }

    @Test func anAcceptedLetterDeliversTheEmail() async throws {
        try await TestServices.with(sales: false) { t in
            let server = ScriptedMailServer()
            let channel = try await t.mailChannel()
            let id = try await t.enqueue("message.email", data: Self.offer, for: channel)
            #expect(try await t.delivery(mailer: server.mailer).deliverDue() == 1)

            let message = try await t.message(id)
            #expect(message.status == .delivered && message.lastError == nil && message.lastStatus == nil)
            let letter = try #require(server.letters.first)
            #expect(server.letters.count == 1)
            #expect(
                letter
                    == Mailer.Letter(
                        url: "smtp://127.0.0.1:2525", destination: .init(host: "127.0.0.1", port: 2525, address: TestServices.loopback),
                        from: "sales@shop.example", to: ["anna@client.example"], subject: "Предложение для Анна", text: "Здравствуйте, Анна!",
                        messageID: id))
        }
    }

    @Test func aChannelWithoutSenderSendsFromAutofunnelLocalhost() async throws {
        try await TestServices.with(sales: false) { t in
            let server = ScriptedMailServer()
            try await t.enqueue("message.email", data: ["to": "anna@client.example"], for: try await t.mailChannel(sender: nil))
            try await t.delivery(mailer: server.mailer).deliverDue()
            let letter = try #require(server.letters.first)
            #expect(letter.from == "autofunnel@localhost" && letter.subject == "" && letter.text == "")
        }
    }

    @Test func aPermanentSMTPRefusalFailsTheEmail() async throws {
        try await TestServices.with(sales: false) { t in
            let server = ScriptedMailServer([SMTPClient.Failure(code: 550, text: "5.1.1 No such user")])
            let id = try await t.enqueue("message.email", data: Self.offer, for: try await t.mailChannel())
            let delivery = t.delivery(mailer: server.mailer)
            #expect(try await delivery.deliverDue() == 1)
            let failed = try await t.message(id)
            #expect(failed.status == .failed && failed.lastError == "SMTP 550 5.1.1 No such user", "a 5xx refusal is final")
            t.clock.advance(millis: OutboxDelivery.backoff.reduce(0, +))
            #expect(try await delivery.deliverDue() == 0, "and never tried again")
        }
    }

    @Test func aTemporarySMTPRefusalIsRetried() async throws {
        try await TestServices.with(sales: false) { t in
            let server = ScriptedMailServer([SMTPClient.Failure(code: 451, text: "4.3.0 Try again later")])
            let id = try await t.enqueue("message.email", data: Self.offer, for: try await t.mailChannel())
            let delivery = t.delivery(mailer: server.mailer)
            #expect(try await delivery.deliverDue() == 1)
            let pending = try await t.message(id)
            #expect(pending.status == .pending && pending.lastError == "SMTP 451 4.3.0 Try again later")
            t.clock.advance(millis: pending.nextAttemptAt.millis - t.clock.now().millis)
            #expect(try await delivery.deliverDue() == 1)
            #expect(try await t.message(id).status == .delivered)
            #expect(server.letters.map(\.messageID) == [id, id], "the same Message-ID on every attempt")
        }
    }

    @Test func anUnreachableMailServerIsRetried() async throws {
        try await TestServices.with(sales: false) { t in
            let server = ScriptedMailServer([ConnectionRefused()])
            let id = try await t.enqueue("message.email", data: Self.offer, for: try await t.mailChannel())
            #expect(try await t.delivery(mailer: server.mailer).deliverDue() == 1)
            let pending = try await t.message(id)
            #expect(pending.status == .pending && pending.lastError == "connection refused")
        }
    }

    @Test func anEmailWithoutRecipientFailsWithoutReachingTheServer() async throws {
        try await TestServices.with(sales: false) { t in
            // The unimplemented mailer: reaching it would leave "Mailer.send was not stubbed" instead of the 501.
            let id = try await t.enqueue("message.email", data: ["text": "Здравствуйте"], for: try await t.mailChannel())
            #expect(try await t.delivery().deliverDue() == 1)
            let failed = try await t.message(id)
            #expect(failed.status == .failed && failed.lastError == "SMTP 501 the message has no recipient")
        }
    }
}
