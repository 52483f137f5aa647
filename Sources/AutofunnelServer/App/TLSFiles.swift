import Foundation
import HummingbirdTLS

/// A certificate chain and its private key, both PEM files, for serving HTTPS.
public struct TLSFiles: Sendable {
    public var certificate: String
    public var key: String

    public init(certificate: String, key: String) {
        self.certificate = certificate
        self.key = key
    }

    /// The server's TLS configuration; a file that cannot be read or parsed is an error naming it.
    public func configuration() throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw TLSFilesError(message: "Cannot read the certificate chain \(certificate): \(error)")
        }
        guard !chain.isEmpty else { throw TLSFilesError(message: "No certificate in \(certificate)") }
        let privateKey: NIOSSLPrivateKey
        do {
            privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        } catch {
            throw TLSFilesError(message: "Cannot read the private key \(key): \(error)")
        }
        return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
    }
}

/// Why the TLS files cannot be used.
public struct TLSFilesError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
