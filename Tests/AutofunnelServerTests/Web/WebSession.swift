import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelTestSupport
import Foundation

/// A browser-like session for page tests: the session cookie and the page's CSRF token.
struct WebSession {
    let api: APITester
    let cookie: String

    static let password = "Correct-Horse-Battery-9"

    static func signIn(_ api: APITester, email: String) async throws -> WebSession {
        let response = try await api.request(.post, "/api/v1/session", json: ["email": email, "password": password])
        guard let cookie = response.headers[.setCookie]?.split(separator: ";").first.map(String.init) else {
            throw WebTestError.noCookie(response.status, response.text)
        }
        return WebSession(api: api, cookie: cookie)
    }

    func get(_ path: String) async throws -> APIResponse { try await api.request(.get, path, headers: ["Cookie": cookie]) }

    /// Posts a form as a page of this site does; `csrf` nil sends the token read from the page at `from`.
    func post(_ path: String, _ form: [String: String], from page: String = "/tasks", csrf: String? = nil) async throws -> APIResponse {
        var values = form
        if values["_csrf"] == nil {
            if let csrf { values["_csrf"] = csrf } else { values["_csrf"] = try await token(page) }
        }
        let body = values.sorted { $0.key < $1.key }.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        return try await api.request(
            .post, path, raw: body, headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"])
    }

    /// The CSRF token a page carries in its `csrf-token` meta tag.
    func token(_ page: String) async throws -> String {
        let text = try await get(page).text
        guard let start = text.range(of: #"<meta name="csrf-token" content=""#), let end = text[start.upperBound...].firstIndex(of: "\"") else {
            throw WebTestError.noToken(page)
        }
        return String(text[start.upperBound..<end])
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}

enum WebTestError: Error {
    case noCookie(Int, String)
    case noToken(String)
}

extension String {
    /// How many times `needle` occurs.
    func occurrences(of needle: String) -> Int { components(separatedBy: needle).count - 1 }
}
