import Crypto
import Foundation

extension LiveImport {
    /// The work folder a run uses when none is given: `autofunnel-import/<source>-<digest of the address>` in the
    /// current directory, so the same account resumes in the same folder and two accounts never share one.
    public static func defaultFolder(source: String, address: String) -> URL {
        let digest = SHA256.hash(data: Data(address.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("autofunnel-import")
            .appendingPathComponent(source + "-" + digest)
    }
}
