import Foundation

/// How an e-mail message leaves: handed to the channel's SMTP server. A value, so tests replace it (`unimplemented`,
/// or a closure that records the letter or throws the refusal the test needs).
public struct Mailer: Sendable {
    /// One e-mail as the outbox sends it: the channel's server, the address the policy checked for it, and the message.
    public struct Letter: Sendable, Equatable {
        /// The channel's `smtp://[user:password@]host[:port]` URL.
        public var url: String
        /// The address `WebhookPolicy` checked for `url`; the connection goes there and nowhere else.
        public var destination: WebhookPolicy.Destination
        /// The envelope and `From` address.
        public var from: String
        /// The recipients.
        public var to: [String]
        /// The subject line (any Unicode).
        public var subject: String
        /// The plain-text body (any Unicode).
        public var text: String
        /// The `Message-ID` (the outbox id: the same on every attempt).
        public var messageID: String

        /// A letter for `to` through the server at `url`, pinned to `destination`.
        public init(
            url: String, destination: WebhookPolicy.Destination, from: String, to: [String], subject: String, text: String, messageID: String
        ) {
            self.url = url
            self.destination = destination
            self.from = from
            self.to = to
            self.subject = subject
            self.text = text
            self.messageID = messageID
        }
    }

    /// Sends one letter; throws `SMTPClient.Failure` when the server refuses a step (a 5xx for good, anything else may
    /// pass on a retry) and any other error when the server cannot be reached.
    public var send: @Sendable (Letter) async throws -> Void

    /// A mailer that sends with `send`.
    public init(send: @escaping @Sendable (Letter) async throws -> Void) { self.send = send }
}

extension Mailer {
    /// SMTP, connected to the checked address (never a second lookup of the name); a URL that is not `smtp://` is
    /// refused as `SMTPClient.Failure` 501.
    public static let live = Mailer { letter in
        guard var client = SMTPClient(url: letter.url) else { throw SMTPClient.Failure(code: 501, text: "not an smtp:// URL") }
        client.address = try letter.destination.socketAddress
        try await client.send(from: letter.from, to: letter.to, subject: letter.subject, text: letter.text, messageID: letter.messageID)
    }

    /// For tests: every letter is refused with `Unstubbed("Mailer.send")`, so a test that sends mail it did not set up
    /// fails with that name.
    public static let unimplemented = Mailer { _ in throw Unstubbed("Mailer.send") }
}
