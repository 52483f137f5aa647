import AutofunnelEngine
import AutofunnelServer
import Foundation
import Testing

/// The certificate and key files of `serve --tls-cert/--tls-key`.
@Suite("TLS files")
struct TLSFilesTests {
    @Test func aMissingOrBrokenFileIsAnErrorNamingIt() throws {
        let missing = TLSFiles(certificate: "/nonexistent/chain.pem", key: "/nonexistent/key.pem")
        #expect(throws: TLSFilesError.self) { try missing.configuration() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let junk = folder.appendingPathComponent("junk.pem")
        try Data("not a certificate".utf8).write(to: junk)
        do {
            _ = try TLSFiles(certificate: junk.path, key: junk.path).configuration()
            Issue.record("a file without a certificate was accepted")
        } catch let error as TLSFilesError {
            #expect(error.message.contains(junk.path))
        }
    }
}
