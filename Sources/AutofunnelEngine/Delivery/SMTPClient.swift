import Foundation
import NIOCore
import NIOPosix

/// A small SMTP client (RFC 5321) for the e-mail channel: EHLO, optional AUTH PLAIN, one message per connection,
/// UTF-8 text sent as base64. No Swift SMTP library is available to us, and the protocol subset a relay needs is small.
public struct SMTPClient: Sendable {
    /// An SMTP server's answer that is not the one expected.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var code: Int
        public var text: String
        /// 5xx: the server refuses for good; anything else may pass on a retry.
        public var permanent: Bool { (500..<600).contains(code) }
        public var description: String { "SMTP \(code) \(text)" }
    }

    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    /// The name this client gives in EHLO.
    public var helloName: String
    /// The address to connect to, as `WebhookPolicy` checked it; nil resolves `host` (only for callers that check
    /// nothing, such as tests).
    public var address: SocketAddress?

    public init(host: String, port: Int = 25, username: String? = nil, password: String? = nil, helloName: String = "autofunnel.localhost") {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.helloName = helloName
    }

    /// The client for `smtp://[user:password@]host[:port]`; nil for any other text.
    public init?(url text: String) {
        guard let url = URLComponents(string: text), url.scheme?.lowercased() == "smtp", let host = url.host, !host.isEmpty else { return nil }
        self.init(host: host, port: url.port ?? 25, username: url.user?.removingPercentEncoding, password: url.password?.removingPercentEncoding)
    }

    /// Sends one message; throws `Failure` with the server's code when it refuses a step.
    public func send(from: String, to: [String], subject: String, text: String, messageID: String, date: Date = Date()) async throws {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connectTimeout(.seconds(10))
        let wrap: @Sendable (Channel) -> EventLoopFuture<NIOAsyncChannel<ByteBuffer, ByteBuffer>> = { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        // The checked address, never a second lookup of the name: DNS could answer differently this time.
        let channel =
            if let address {
                try await bootstrap.connect(to: address, channelInitializer: wrap)
            } else {
                try await bootstrap.connect(host: host, port: port, channelInitializer: wrap)
            }
        let data = Self.message(from: from, to: to, subject: subject, text: text, messageID: messageID, date: date)
        try await channel.executeThenClose { inbound, outbound in
            var replies = Replies(inbound.makeAsyncIterator())
            func step(_ line: String?, expect codes: Set<Int>) async throws {
                if let line { try await outbound.write(ByteBuffer(string: line + "\r\n")) }
                let (code, text) = try await replies.next()
                guard codes.contains(code) else { throw Failure(code: code, text: text) }
            }
            try await step(nil, expect: [220])
            try await step("EHLO \(helloName)", expect: [250])
            if let username {
                let token = Data("\0\(username)\0\(password ?? "")".utf8).base64EncodedString()
                try await step("AUTH PLAIN \(token)", expect: [235])
            }
            try await step("MAIL FROM:<\(Self.clean(from))>", expect: [250])
            for address in to { try await step("RCPT TO:<\(Self.clean(address))>", expect: [250, 251]) }
            try await step("DATA", expect: [354])
            try await step(data + ".", expect: [250])
            try? await step("QUIT", expect: [221])
        }
    }

    /// Reads replies, joining the lines of a multi-line reply (`250-…` … `250 …`).
    struct Replies {
        var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        var pending = ""

        init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) { self.iterator = iterator }

        mutating func next() async throws -> (Int, String) {
            var text: [String] = []
            while true {
                while let end = pending.range(of: "\r\n") {
                    let line = String(pending[..<end.lowerBound])
                    pending.removeSubrange(..<end.upperBound)
                    let code = Int(line.prefix(3)) ?? 0
                    text.append(String(line.dropFirst(4)))
                    if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-" { return (code, text.joined(separator: " ")) }
                }
                guard var buffer = try await iterator.next() else { throw Failure(code: 421, text: "connection closed") }
                pending += buffer.readString(length: buffer.readableBytes) ?? ""
            }
        }
    }

    /// An address without the characters that would break out of the command or header it sits in.
    static func clean(_ text: String) -> String { String(text.filter { $0 != "\r" && $0 != "\n" && $0 != "<" && $0 != ">" }) }

    /// A header value: ASCII as it is, anything else as an RFC 2047 encoded word.
    static func header(_ text: String) -> String {
        let flat = clean(text)
        return flat.allSatisfy(\.isASCII) ? flat : "=?UTF-8?B?" + Data(flat.utf8).base64EncodedString() + "?="
    }

    /// The message as sent after DATA: headers, then the UTF-8 body in base64 lines (no line can start with a dot).
    static func message(from: String, to: [String], subject: String, text: String, messageID: String, date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let body = Data(text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let headers = [
            "From: <\(clean(from))>", "To: " + to.map { "<\(clean($0))>" }.joined(separator: ", "), "Subject: \(header(subject))",
            "Date: \(formatter.string(from: date))", "Message-ID: <\(clean(messageID))@autofunnel>", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64",
        ]
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + body + "\r\n"
    }
}
