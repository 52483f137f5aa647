/// Why a live import stopped, in words a user can act on; addresses are shown with secrets (a Bitrix24 webhook's key)
/// masked.
public enum LiveImportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The other side answered with a status that is neither success nor "slow down".
    case status(url: String, status: Int, detail: String)
    /// It kept saying "slow down" after every retry.
    case stillLimited(url: String, status: Int, tries: Int)
    /// No answer (connection refused, TLS, timeout).
    case unreachable(url: String, reason: String)
    /// An answer that is not what the API documents (not JSON, a missing list, a number out of range).
    case malformed(url: String, reason: String)
    /// Asked for something the import refuses (an address that is no http(s) URL, a bad option).
    case refused(String)

    public var description: String {
        switch self {
        case .status(let url, let status, let detail):
            "\(url) answered HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)")\(Self.hint(status))"
        case .stillLimited(let url, let status, let tries):
            "\(url) still answered HTTP \(status) (rate limit) after \(tries) tries; run the import again later: it resumes"
        case .unreachable(let url, let reason): "\(url) cannot be reached: \(reason)"
        case .malformed(let url, let reason): "\(url) answered something the import cannot read: \(reason)"
        case .refused(let reason): reason
        }
    }

    static func hint(_ status: Int) -> String {
        switch status {
        case 401: " (check the token or webhook: it is refused)"
        case 403: " (the token or webhook lacks the rights to read this)"
        case 404: " (check the address: no such API there)"
        default: ""
        }
    }
}
