import AutofunnelCore

/// Removes credentials from text bound for a log: API tokens (`aft_…`), JWTs (amoCRM tokens), bearer and basic
/// credentials, session cookies, webhook secrets and callback tokens, the token in a Bitrix24 webhook path however its
/// slashes are written (`/rest/3/KEY/`, `//rest/3/KEY/`, `/rest//3/KEY/`), and the value of any `authorization`,
/// `cookie` or `webhook-signature` header an error's description carries. Applied at the log sink, so no call site
/// can forget it.
public enum SecretRedactor {
    static let mask = "***"

    /// Credentials that stand alone.
    nonisolated(unsafe) static let whole: [Regex<Substring>] = [
        #/aft_[A-Za-z0-9_\-]{8,}/#,
        #/eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+/#,
        #/whsec_[A-Za-z0-9+\/=]+/#,
    ]

    /// Credentials after a marker: the first group is kept, the second masked.
    nonisolated(unsafe) static let marked: [Regex<(Substring, Substring, Substring)>] = [
        #/(?i)(bearer\s+)([^\s"',;\]\)]+)/#,
        #/(?i)(basic\s+)([A-Za-z0-9+\/=]+)/#,
        #/(?i)(af_session=)([^\s;"',]+)/#,
        #/(?i)(\/rest\/+[0-9]{1,12}\/+)([^\/\s?"']+)/#,
        #/(?i)(\/callbacks\/+)([^\/\s?"']+)/#,
        #/(?i)((?:authorization|cookie|webhook-signature|x-csrf-token)["']?\s*[:=,]\s*["']?)([^"'\r\n\]\)]+)/#,
    ]

    /// Words one of the patterns needs (lowercased): a line with none of them — most lines — skips the regexes, so
    /// the sink costs a byte search per line.
    static let markers = [
        "aft_", "eyj", "whsec_", "bearer", "basic", "af_session", "/rest/", "/callbacks/", "authorization", "cookie", "webhook-signature",
        "x-csrf-token",
    ]

    /// The text with every credential it carries replaced by `***`.
    public static func redact(_ text: String) -> String {
        let lower = text.lowercased()
        guard markers.contains(where: { lower.utf8Contains($0) }) else { return text }
        var out = text
        for pattern in whole where out.contains(pattern) { out = out.replacing(pattern, with: mask) }
        for pattern in marked where out.contains(pattern) { out = out.replacing(pattern) { $0.output.1 + mask } }
        return out
    }
}
