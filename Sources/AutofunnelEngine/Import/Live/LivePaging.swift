import AutofunnelCore
import Foundation

/// Bounds on what a remote may make an import read: pages per list and records in all, so that a server that keeps
/// saying "there is more" cannot keep the import busy or fill the memory.
public enum LivePaging {
    /// Pages read of one list at most.
    public static let maxPages = 40_000
    /// Records of one list at most.
    public static let maxItems = 2_000_000

    /// `data` as JSON; anything else is `malformed`, naming `url`.
    public static func json(_ data: Data, url: String) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw LiveImportError.malformed(url: url, reason: "not JSON (\(String(decoding: data.prefix(80), as: UTF8.self)))")
        }
    }

    /// A page file's name: `leads-000001`.
    public static func name(_ list: String, _ n: Int) -> String {
        let digits = String(n)
        return list + "-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}
