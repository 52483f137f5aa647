import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// A real SMTP server (aiosmtpd from PyPI) on loopback that writes each message it accepts to a folder; recipients
/// starting with `nobody` are refused with 550.
struct SMTPSink {
    let port: Int
    let folder: URL
    let process: Process

    static let script = """
        import asyncio, pathlib, socket, sys, time
        from aiosmtpd.controller import Controller
        folder = pathlib.Path(sys.argv[1])
        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, options):
                if address.startswith("nobody"):
                    return "550 5.1.1 No such user"
                envelope.rcpt_tos.append(address)
                return "250 OK"
            async def handle_DATA(self, server, session, envelope):
                n = len(list(folder.iterdir()))
                head = f"X-Envelope-From: {envelope.mail_from}\\r\\nX-Envelope-To: {','.join(envelope.rcpt_tos)}\\r\\n".encode()
                (folder / f"{n:04d}.eml").write_bytes(head + envelope.original_content)
                return "250 Message accepted"
        s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
        controller = Controller(Handler(), hostname="127.0.0.1", port=port)
        controller.start()
        print(port, flush=True)
        sys.stdin.read()
        controller.stop()
        """

    /// Starts the sink, or nil when aiosmtpd is missing and the test command did not require it.
    static func start() throws -> SMTPSink? {
        let env = ProcessInfo.processInfo.environment
        let python = env["AUTOFUNNEL_TEST_PYTHON"] ?? "/usr/bin/python3"
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, folder.path]
        let out = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = Int(line) else {
            process.terminate()
            if env["AUTOFUNNEL_REQUIRE_SMTP"] == "1" { Issue.record("aiosmtpd did not start with \(python); scripts/test installs it") }
            return nil
        }
        return SMTPSink(port: port, folder: folder, process: process)
    }

    func stop() {
        process.terminate()
        try? FileManager.default.removeItem(at: folder)
    }

    /// The messages received so far, as raw text.
    func messages() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map {
            try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)
        }
    }
}

@Suite("Channels: e-mail over SMTP and a messenger gateway")
struct ChannelTests {
    static let user = Actor(kind: .user)

    @Test func rulesSendEmailThroughARealSMTPServer() async throws {
        guard let sink = try SMTPSink.start() else { return }
        defer { sink.stop() }
        try await TestServices.with(.sqliteFile) { t in
            let rules = [
                AutomationSpec(
                    key: "offer_mail", trigger: .init(on: "stage_entered", stage: "offer"),
                    actions: [
                        .init(
                            do: "send_message", text: "Здравствуйте, {{Контакт: Имя}}! Предложение по сделке «{{deal.title}}» готово.",
                            channel: "mail",
                            subject: "Предложение для {{contact.name}}")
                    ])
            ]
            _ = try await t.services.pipelines.apply(OrchestrationTests.pipeline("mailing", stages: ["new", "offer"], rules: rules))
            try await t.withAPI { api in
                let refused = try await api.request(
                    .post, "/api/v1/channels", json: ["name": "mail", "kind": "email", "url": "smtp://127.0.0.1:\(sink.port)"])
                #expect(refused.status == 422 && refused.fieldList == ["sender"])
                let made = try await api.request(
                    .post, "/api/v1/channels",
                    json: ["name": "mail", "kind": "email", "url": "smtp://127.0.0.1:\(sink.port)", "sender": "Sales@Shop.example"])
                #expect(made.status == 201)
                let listed = try await api.request(.get, "/api/v1/webhooks")
                #expect((listed.object["items"] as? [Any])?.isEmpty == true, "channels are not webhook endpoints")
            }
            let anna = try await t.services.parties.createContact(.init(name: "Анна", emails: ["anna@client.example"]))
            let nobody = try await t.services.parties.createContact(.init(name: "Никто", emails: ["nobody@client.example"]))
            for contact in [anna, nobody] {
                let deal = try await t.services.deals.create(
                    pipeline: "mailing", stage: nil, input: DealInput(title: "Кухня", contact: contact.id), actor: Self.user)
                _ = try await t.services.deals.move(deal.id, to: "offer", actor: Self.user)
            }
            let delivery = OutboxDelivery.toLoopback(t.services)
            #expect(try await delivery.deliverDue() == 2)
            let mails = try sink.messages()
            #expect(mails.count == 1)
            let mail = try #require(mails.first)
            let outbox = try await t.services.store.read { s in try await s.outbox(status: nil) }
            let sent = try #require(outbox.first { $0.status == .delivered })
            #expect(mail.contains("X-Envelope-From: sales@shop.example") && mail.contains("X-Envelope-To: anna@client.example"))
            #expect(mail.contains("Message-ID: <\(sent.id)@autofunnel>"), "the outbox id is the Message-ID on every attempt")
            #expect(mail.contains("Subject: =?UTF-8?B?\(Data("Предложение для Анна".utf8).base64EncodedString())?="))
            let body = mail.components(separatedBy: "\r\n\r\n").dropFirst().joined().replacingOccurrences(of: "\r\n", with: "")
            #expect(
                String(decoding: Data(base64Encoded: body) ?? Data(), as: UTF8.self) == "Здравствуйте, Анна! Предложение по сделке «Кухня» готово.")
            let refusedMail = try #require(outbox.first { $0.status != .delivered })
            #expect(refusedMail.status == .failed && (refusedMail.lastError ?? "").contains("550"), "a 5xx refusal is final, not retried")
        }
    }

    @Test func messengerRepliesMoveUnsubscribeAndLoseTheDeal() async throws {
        try await TestServices.with { t in
            try await WebhookReceiver.with { receiver, port in
                let rules = [
                    AutomationSpec(
                        key: "ask", trigger: .init(on: "deal_created"),
                        actions: [.init(do: "send_message", text: "{{Контакт: Имя}}, ответьте 1, если интересно, или 0 — отписаться", channel: "wa")]),
                    AutomationSpec(
                        key: "yes", trigger: .init(on: "message_received", channel: "wa", text: "1"),
                        actions: [.init(do: "move", stage: "interested")]),
                    AutomationSpec(
                        key: "stop", trigger: .init(on: "message_received", channel: "wa", text: "0"),
                        actions: [.init(do: "close_lost", reason: "lost", comment: "Отписался в мессенджере")]),
                ]
                _ = try await t.services.pipelines.apply(OrchestrationTests.pipeline("wa_leads", stages: ["new", "interested"], rules: rules))
                let secret = try await t.withAPI { api in
                    let made = try await api.request(
                        .post, "/api/v1/channels",
                        json: ["name": "wa", "kind": "messenger", "url": "http://127.0.0.1:\(port)/wa", "unsubscribeText": "0"])
                    #expect(made.status == 201)
                    return try #require(made.object["secret"] as? String)
                }
                let contact = try await t.contact(name: "Ольга", phone: "+7 (912) 000-11-22")
                func open(_ title: String) async throws -> Deal {
                    try await t.services.deals.create(
                        pipeline: "wa_leads", stage: nil, input: DealInput(title: title, contact: contact.id), actor: Self.user)
                }
                let first = try await open("Первая")
                let delivery = OutboxDelivery.toLoopback(t.services)
                try await delivery.deliverDue()
                let sent = try #require(await receiver.received.first)
                let payload = try #require(try JSONSerialization.jsonObject(with: Data(sent.body.utf8)) as? [String: Any])
                let data = try #require(payload["data"] as? [String: Any])
                #expect(
                    data["to"] as? String == contact.phones.first
                        && data["text"] as? String == "Ольга, ответьте 1, если интересно, или 0 — отписаться")
                #expect(
                    sent.headers["webhook-signature"]
                        == WebhookSigner.signature(
                            secret: secret, id: sent.headers["webhook-id"] ?? "", timestamp: Int64(sent.headers["webhook-timestamp"] ?? "") ?? 0,
                            body: sent.body))
                let seconds = t.clock.now().millis / 1000
                try await t.withAPI(anonymous: true) { api in
                    let yes = try await api.signed(
                        "/api/v1/channels/wa/messages", json: ["from": "89120001122", "text": " 1 "], secret: secret, id: "in1", seconds: seconds)
                    #expect(yes.status == 200 && yes.object["unsubscribed"] as? Bool == false)
                    let again = try await api.signed(
                        "/api/v1/channels/wa/messages", json: ["from": "89120001122", "text": " 1 "], secret: secret, id: "in1", seconds: seconds)
                    #expect(again.object["duplicate"] as? Bool == true, "the gateway's retry of one message changes nothing")
                    let unsigned = try await api.request(.post, "/api/v1/channels/wa/messages", json: ["from": "89120001122", "text": "0"])
                    #expect(unsigned.status == 400 || unsigned.status == 401)
                }
                #expect(try await t.services.store.read { s in try await s.deal(first.id) }.stage == "interested")
                try await t.withAPI(anonymous: true) { api in
                    let stop = try await api.signed(
                        "/api/v1/channels/wa/messages", json: ["from": "+79120001122", "text": "0"], secret: secret, id: "in2", seconds: seconds)
                    #expect(stop.status == 200 && stop.object["unsubscribed"] as? Bool == true)
                }
                let lost = try await t.services.store.read { s in try await s.deal(first.id) }
                #expect(lost.status == .lost && lost.lossComment == "Отписался в мессенджере")
                let second = try await open("Вторая")
                let outbox = try await t.services.store.read { s in try await s.outbox(status: nil) }
                #expect(outbox.count == 1, "an unsubscribed contact gets no message")
                let timeline = try await t.services.store.read { s in try await s.timeline(deal: second.id) }
                #expect(timeline.contains { $0.kind == "message_skipped" })
            }
        }
    }
}
