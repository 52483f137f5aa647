import AutofunnelCore
import AutofunnelEngine

/// amoCRM's page-numbered lists: `page` from 1 and `limit` up to 250 (50 when not sent), with links to other pages
/// that keep every other parameter of the request as it was sent.
struct AmoCRMPaging: Sendable {
    static let defaultLimit = 50
    static let maximumLimit = 250

    var page: Int
    var limit: Int

    var offset: Int { (page - 1) * limit }

    /// Reads `page` and `limit`; a limit above 250 is served as 250, as amoCRM does.
    init(_ query: [String: JSONValue]) throws {
        let limit = query["limit"].map { $0.lenientInt } ?? Int64(Self.defaultLimit)
        let page = query["page"].map { $0.lenientInt } ?? 1
        guard let limit, limit >= 1 else { throw AmoCRMError.invalid("limit is an integer from 1 to 250", path: "limit") }
        guard let page, (1...1_000_000).contains(page) else { throw AmoCRMError.invalid("page is an integer from 1", path: "page") }
        self.limit = Int(min(limit, Int64(Self.maximumLimit)))
        self.page = Int(page)
    }

    /// The address of `page`: the request's own parameters without `page` and `limit`, then those two.
    func link(_ address: String, rawQuery: String, page: Int) -> String {
        let kept = rawQuery.split(separator: "&").filter { pair in
            let name = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            let decoded = name.removingPercentEncoding ?? name
            return decoded != "page" && decoded != "limit"
        }
        return address + "?" + (kept.map(String.init) + ["limit=\(limit)", "page=\(page)"]).joined(separator: "&")
    }
}
