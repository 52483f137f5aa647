import AsyncHTTPClient
import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import Testing

/// Where webhooks, channels and `call_and_wait` posts may go (SSRF): every special-purpose address in every
/// spelling is refused, the connection goes to the address checked, and redirects are not followed.
@Suite("Outgoing destinations: the SSRF policy")
struct DestinationPolicyTests {
    /// URLs that must be refused and a part of the reason each must give (the address and block it falls in).
    static let refused: [(url: String, reason: String)] = [
        // IPv4 special-purpose blocks, at their edges.
        ("http://0.0.0.0/", "this network (0.0.0.0/8)"), ("http://0.255.255.255/", "this network"), ("http://10.0.0.1/", "private (10.0.0.0/8)"),
        ("http://10.255.255.255/", "private"), ("http://100.64.0.1/", "shared address space (100.64.0.0/10)"),
        ("http://100.127.255.254/", "shared address space"), ("http://127.0.0.1:8080/x", "loopback (127.0.0.0/8)"),
        ("http://127.255.255.255/", "loopback"), ("http://169.254.169.254/latest/meta-data/", "link-local (169.254.0.0/16)"),
        ("http://172.16.0.1/", "private (172.16.0.0/12)"), ("http://172.17.0.1/", "private"), ("http://172.31.255.255/", "private"),
        ("http://192.0.0.1/", "IETF protocol assignments (192.0.0.0/24)"), ("http://192.0.0.170/", "IETF protocol assignments"),
        ("http://192.0.2.1/", "TEST-NET-1"), ("http://192.88.99.1/", "6to4 relay anycast"), ("http://192.168.1.1/", "private (192.168.0.0/16)"),
        ("http://198.18.0.1/", "benchmarking (198.18.0.0/15)"), ("http://198.19.255.255/", "benchmarking"), ("http://198.51.100.7/", "TEST-NET-2"),
        ("http://203.0.113.9/", "TEST-NET-3"), ("http://224.0.0.1/", "multicast (224.0.0.0/4)"), ("http://239.255.255.250/", "multicast"),
        ("http://240.0.0.1/", "reserved (240.0.0.0/4)"), ("http://255.255.255.255/", "limited broadcast"),
        // IPv4 in the forms inet_aton reads (decimal, hex, octal, short): resolved, then the number is checked.
        ("http://2130706433/", "resolves to 127.0.0.1, loopback"), ("http://0x7f.1/", "resolves to 127.0.0.1, loopback"),
        ("http://0x7f000001/", "127.0.0.1, loopback"), ("http://017700000001/", "127.0.0.1, loopback"),
        ("http://0177.0.0.1/", "127.0.0.1, loopback"), ("http://127.1/", "127.0.0.1, loopback"), ("http://0/", "0.0.0.0, this network"),
        ("http://2852039166/", "169.254.169.254, link-local"), ("http://0xa9.0xfe.0xa9.0xfe/", "169.254.169.254, link-local"),
        ("http://3232235777/", "192.168.1.1, private"),
        // IPv6 special-purpose blocks.
        ("http://[::1]/", "loopback (::1/128)"), ("http://[::]/", "unspecified (::/128)"), ("http://[0:0:0:0:0:0:0:1]/", "loopback"),
        ("http://[fe80::1]/", "link-local (fe80::/10)"), ("http://[febf::1]/", "link-local"), ("http://[fec0::1]/", "site-local"),
        ("http://[fc00::1]/", "unique local (fc00::/7)"), ("http://[fd12:3456::1]/", "unique local"),
        ("http://[ff02::1]/", "multicast (ff00::/8)"), ("http://[ff0e::1]/", "multicast"), ("http://[2001:db8::1]/", "documentation (2001:db8::/32)"),
        ("http://[100::1]/", "discard-only (100::/64)"),
        ("http://[100:0:0:1::1]/", "dummy prefix"), ("http://[2001:2::1]/", "IETF protocol assignments (2001::/23)"),
        ("http://[2001:10::1]/", "IETF protocol assignments"), ("http://[3fff::1]/", "documentation (3fff::/20)"),
        ("http://[5f00::1]/", "segment routing"), ("http://[4000::1]/", "outside 2000::/3"),
        ("http://[64:ff9b:1::a9fe:a9fe]/", "local-use IPv4/IPv6 translation (64:ff9b:1::/48)"),
        // IPv6 forms that carry a refused IPv4 address: mapped, compatible, translated, NAT64, 6to4, Teredo.
        ("http://[::ffff:0.0.0.0]/", "IPv4-mapped of 0.0.0.0, this network"),
        ("http://[::ffff:169.254.169.254]/", "IPv4-mapped of 169.254.169.254, link-local"),
        ("http://[::ffff:a9fe:a9fe]/", "IPv4-mapped of 169.254.169.254, link-local"),
        ("http://[::ffff:172.17.0.1]/", "IPv4-mapped of 172.17.0.1, private"),
        ("http://[::ffff:127.0.0.1]/", "IPv4-mapped of 127.0.0.1, loopback"), ("http://[::ffff:7f00:1]/", "IPv4-mapped of 127.0.0.1"),
        ("http://[0:0:0:0:0:ffff:10.0.0.1]/", "IPv4-mapped of 10.0.0.1"), ("http://[::127.0.0.1]/", "IPv4-compatible of 127.0.0.1"),
        ("http://[::a9fe:a9fe]/", "IPv4-compatible of 169.254.169.254"), ("http://[::ffff:0:a9fe:a9fe]/", "IPv4-translated of 169.254.169.254"),
        ("http://[64:ff9b::a9fe:a9fe]/", "NAT64 of 169.254.169.254"), ("http://[64:ff9b::10.0.0.1]/", "NAT64 of 10.0.0.1"),
        ("http://[64:ff9b::127.0.0.1]/", "NAT64 of 127.0.0.1"), ("http://[2002:7f00:1::]/", "6to4 of 127.0.0.1"),
        ("http://[2002:a9fe:a9fe::1]/", "6to4 of 169.254.169.254"), ("http://[2002:c0a8:101::1]/", "6to4 of 192.168.1.1"),
        ("http://[2002:6440:1::1]/", "6to4 of 100.64.0.1, shared address space"),
        // Teredo: client 127.0.0.1 behind a public server; a private server for a public client.
        ("http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", "Teredo of 127.0.0.1"), ("http://[2001:0:a00:1::bec9:1c87]/", "Teredo of 10.0.0.1"),
        // Local names, other schemes, no host, no port.
        ("http://localhost/", "a local host"), ("http://LOCALHOST./", "a local host"), ("http://api.localhost/", "a local host"),
        ("http://printer.local/", "a local host"), ("ftp://93.184.216.34/", "not a http or https URL"), ("file:///etc/passwd", "not a"),
        ("http:///nohost", "not a"), ("gopher://93.184.216.34/", "not a"), ("http://93.184.216.34:0/", "not a"),
    ]

    static let allowed: [(url: String, address: String)] = [
        ("http://93.184.216.34/", "93.184.216.34"), ("https://93.184.216.34:8443/hook", "93.184.216.34"),
        ("http://[2606:2800:220:1::1]/", "2606:2800:220:1::1"), ("https://[2606:2800:220:1::1]:8443/", "2606:2800:220:1::1"),
        ("http://1.1.1.1/", "1.1.1.1"), ("http://100.63.255.255/", "100.63.255.255"), ("http://100.128.0.1/", "100.128.0.1"),
        ("http://172.15.255.255/", "172.15.255.255"), ("http://172.32.0.1/", "172.32.0.1"), ("http://198.17.255.255/", "198.17.255.255"),
        ("http://198.20.0.1/", "198.20.0.1"), ("http://192.0.3.1/", "192.0.3.1"), ("http://223.255.255.255/", "223.255.255.255"),
        ("http://1572395042/", "93.184.216.34"), ("http://[::ffff:93.184.216.34]/", "::ffff:93.184.216.34"),
        ("http://[64:ff9b::5db8:d822]/", "64:ff9b::5db8:d822"), ("http://[2002:5db8:d822::1]/", "2002:5db8:d822::1"),
        ("http://[2001:0:4136:e378:8000:63bf:a247:2bdd]/", "2001:0:4136:e378:8000:63bf:a247:2bdd"),
    ]

    @Test(arguments: refused) func refusesEverySpecialPurposeAddressInEveryForm(_ url: String, _ reason: String) {
        let verdict = WebhookPolicy().check(url)
        guard case .refused(let why) = verdict else {
            Issue.record("\(url) was not refused: \(verdict)")
            return
        }
        #expect(why.contains(reason), "\(url): \(why)")
        #expect(WebhookPolicy().refusal(url) == why, "the API's check says the same")
    }

    @Test(arguments: allowed) func allowsGlobalAddressesAndPinsTheOneChecked(_ url: String, _ address: String) throws {
        let expected = try #require(IPAddress(address))
        guard case .allowed(let destination) = WebhookPolicy().check(url) else {
            Issue.record("\(url) was refused: \(WebhookPolicy().check(url))")
            return
        }
        #expect(destination.address == expected)
        #expect(destination.port == (URL(string: url)?.port ?? (url.hasPrefix("https") ? 443 : 80)))
    }

    @Test func reasonsNameTheCarriedAddressAndItsBlock() throws {
        let mapped = try #require(IPAddress("::ffff:a9fe:a9fe"))
        #expect(mapped == IPAddress("::ffff:169.254.169.254"), "parsed into bytes, not compared as text")
        #expect(mapped.refusalReason == "IPv4-mapped of 169.254.169.254, link-local (169.254.0.0/16)")
        #expect(IPAddress("2002:c0a8:101::1")?.refusalReason == "6to4 of 192.168.1.1, private (192.168.0.0/16)")
        #expect(IPAddress("::1")?.refusalReason == "loopback (::1/128)")
        #expect(IPAddress("100.64.0.0")?.refusalReason == "shared address space (100.64.0.0/10)")
        #expect(IPAddress("fec0::1")?.refusalReason?.hasPrefix("site-local") == true)
        #expect(IPAddress("93.184.216.34")?.refusalReason == nil)
        #expect(IPAddress("0x7f.1") == nil && IPAddress("example.com") == nil, "only strict literals parse; names go through getaddrinfo")
        #expect(WebhookPolicy().refusal("http://[::ffff:a9fe:a9fe]/")?.contains("169.254.169.254") == true)
    }

    @Test func theAllowlistNamesHostsNotAddresses() {
        let policy = WebhookPolicy(allowlist: ["127.0.0.1", "[::1]"])
        guard case .allowed(let destination) = policy.check("http://127.0.0.1:9000/hook") else {
            Issue.record("an allowlisted host was refused")
            return
        }
        #expect(destination == WebhookPolicy.Destination(host: "127.0.0.1", port: 9000, address: IPAddress("127.0.0.1")!))
        guard case .allowed = policy.check("http://[::1]:9000/hook") else {
            Issue.record("an allowlisted IPv6 host was refused")
            return
        }
        #expect(policy.refusal("http://2130706433:9000/") != nil, "another spelling of an allowlisted address is another host")
        #expect(policy.refusal("http://[::ffff:127.0.0.1]:9000/") != nil)
        #expect(policy.refusal("smtp://127.0.0.1:25", schemes: ["smtp"]) == nil)
        #expect(WebhookPolicy().refusal("smtp://127.0.0.1:25", schemes: ["smtp"]) != nil)
        #expect(WebhookPolicy().refusal("smtp://[::ffff:10.0.0.1]", schemes: ["smtp"]) != nil)
    }

    @Test func aRedirectIsNotFollowed() async throws {
        try await TestServices.with { t in
            let stray = ConnectionCounter()
            let listener = try await stray.listen()
            let strayPort = try #require(listener.localAddress?.port)
            let answered = Mutex(0)
            let router = Router()
            router.post("/{name}") { _, _ -> Response in
                answered.withLock { $0 += 1 }
                return Response(status: .found, headers: [.location: "http://127.0.0.1:\(strayPort)/stolen"])
            }
            try await Self.serving(router) { port in
                let delivery = OutboxDelivery.toLoopback(t.services)
                _ = try await t.services.store.write { s in
                    try await s.insertEndpoint(
                        name: "moved", url: "http://127.0.0.1:\(port)/hook", secret: WebhookSigner.newSecret(), events: ["*"], at: Fixtures.t0)
                }
                _ = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "x"), actor: Actor(kind: .user))
                #expect(try await delivery.deliverDue() == 1)
                let message = try #require(try await t.services.store.read { s in try await s.outbox(status: nil) }.first)
                #expect(message.status == .pending && message.attempts == 1, "a failed attempt, retried like any other")
                #expect(message.lastStatus == 302)
                #expect(message.lastError?.contains("redirect to http://127.0.0.1:\(strayPort)/stolen not followed") == true, "\(message)")
            }
            #expect(answered.withLock { $0 } == 1)
            #expect(stray.accepted == 0, "the redirect's target was never contacted")
            try await listener.close()
        }
    }

    @Test func theConnectionGoesToThePinnedAddressWithoutALookup() async throws {
        let hosts = Mutex<[String]>([])
        let router = Router()
        router.post("/{name}") { request, _ -> Response in
            hosts.withLock { $0.append(request.head.authority ?? "") }
            return Response(status: .noContent)
        }
        let port = try await Self.serving(router) { port in
            // `.invalid` never resolves (RFC 6761): reaching the receiver proves that no lookup was made.
            var request = HTTPClientRequest(url: "http://hooks.invalid:\(port)/hook")
            request.method = .POST
            let pinned = WebhookPolicy.Destination(host: "hooks.invalid", port: port, address: try #require(IPAddress("127.0.0.1")))
            let response = try await PinnedHTTPClient.execute(request, to: pinned, timeout: .seconds(60))
            #expect(response.status == .noContent)
            let elsewhere = WebhookPolicy.Destination(host: "other.invalid", port: port, address: pinned.address)
            await #expect(throws: PinnedHTTPClient.MismatchedDestination.self) {
                _ = try await PinnedHTTPClient.execute(request, to: elsewhere, timeout: .seconds(60))
            }
            return port
        }
        #expect(hosts.withLock { $0 } == ["hooks.invalid:\(port)"], "the Host header keeps the URL's name")
    }

    @Test func smtpConnectsToThePinnedAddressWithoutALookup() async throws {
        let counter = ConnectionCounter()
        let listener = try await counter.listen()
        let port = try #require(listener.localAddress?.port)
        var client = SMTPClient(host: "mail.invalid", port: port)
        client.address = try WebhookPolicy.Destination(host: "mail.invalid", port: port, address: try #require(IPAddress("127.0.0.1"))).socketAddress
        // The listener closes at once: the client reached it (and says so), though the name never resolves.
        let error = await #expect(throws: SMTPClient.Failure.self) {
            try await client.send(from: "a@example.com", to: ["b@example.com"], subject: "s", text: "t", messageID: "m")
        }
        #expect(error?.code == 421)
        #expect(counter.accepted == 1)
        try await listener.close()
    }

    @Test func httpsVerifiesTheURLsNameAtThePinnedAddress() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pinned-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (certificate, key) = (folder.appendingPathComponent("cert.pem").path, folder.appendingPathComponent("key.pem").path)
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=hooks.invalid",
            "-addext", "subjectAltName=DNS:hooks.invalid", "-keyout", key, "-out", certificate,
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl made the test certificate")
        let router = Router()
        router.post("/{name}") { _, _ -> Response in Response(status: .noContent) }
        let server = try HTTPServerBuilder.tls(tlsConfiguration: try TLSFiles(certificate: certificate, key: key).configuration())
        var client = TLSConfiguration.makeClientConfiguration()
        client.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificate))
        let trusting = client
        try await Self.serving(router, server: server) { port in
            let loopback = try #require(IPAddress("127.0.0.1"))
            func post(_ host: String) async throws -> HTTPClientResponse {
                var request = HTTPClientRequest(url: "https://\(host):\(port)/hook")
                request.method = .POST
                request.tlsConfiguration = trusting
                return try await PinnedHTTPClient.execute(request, to: .init(host: host, port: port, address: loopback), timeout: .seconds(60))
            }
            #expect(try await post("hooks.invalid").status == .noContent, "the certificate is checked for the URL's name, not the address")
            let error = await #expect(throws: (any Error).self) { _ = try await post("other.invalid") }
            #expect(String(describing: error).contains("Couldn't find other.invalid in certificate"), "\(String(describing: error))")
        }
    }
}

extension DestinationPolicyTests {
    /// Runs `body` with `router` served on a free loopback port.
    static func serving<T: Sendable>(
        _ router: Router<BasicRequestContext>, server: HTTPServerBuilder = .http1(), _ body: @Sendable (Int) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "receiver")
        logger.logLevel = .critical
        // Waits for the server's own "running" event, never for a guessed time.
        let (ports, running) = AsyncStream.makeStream(of: Int?.self)
        let app = Application(
            router: router, server: server, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in running.yield(channel.localAddress?.port) }, logger: logger)
        let task = Task {
            defer { running.finish() }
            try await app.runService(gracefulShutdownSignals: [])
        }
        defer { task.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next() ?? nil, "the loopback server started")
        return try await body(port)
    }

    /// Counts the connections made to its loopback listener, which closes each at once.
    final class ConnectionCounter: Sendable {
        let count = Mutex(0)

        var accepted: Int { count.withLock { $0 } }

        /// Listens on a free loopback port; the caller closes the channel.
        func listen() async throws -> any Channel {
            try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelInitializer { child in
                    self.count.withLock { $0 += 1 }
                    child.close(promise: nil)
                    return child.eventLoop.makeSucceededVoidFuture()
                }
                .bind(host: "127.0.0.1", port: 0).get()
        }
    }
}
