import Hummingbird

/// The session cookie: `HttpOnly`, `SameSite=Lax`, `Secure` when served over https, no `Max-Age` (the server ends
/// sessions; the browser forgets the cookie when it closes).
public enum SessionCookie {
    public static let name = "af_session"

    /// The `Set-Cookie` value that hands a session to the browser.
    public static func set(_ id: String, secure: Bool) -> String {
        Cookie(name: name, value: id, path: "/", secure: secure, httpOnly: true, sameSite: .lax).description
    }

    /// The `Set-Cookie` value that removes it.
    public static func clear(secure: Bool) -> String {
        Cookie(name: name, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax).description
    }
}
