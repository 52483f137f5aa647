/// The rules a new password must meet (OWASP ASVS 5.0, V6.2): at least 10 characters, at most 128, and not one of the
/// commonly used passwords. No composition rules: length beats character classes.
public struct PasswordPolicy: Sendable {
    public static let minimumLength = 10
    public static let maximumLength = 128
    /// Lower-cased common passwords, loaded by the server from its bundled list.
    public let common: Set<String>

    public init(common: Set<String>) { self.common = common }

    /// Why the password cannot be used, or nothing when it can. `email` refuses a password equal to the login.
    public func problems(_ password: String, email: String? = nil, field: String = "password") -> [Violation] {
        func v(_ ru: String, _ en: String) -> Violation { Violation(rule: .weakPassword, field: field, message: .init(ru: ru, en: en)) }
        if password.count < Self.minimumLength {
            return [v("Пароль — не короче \(Self.minimumLength) символов", "A password has at least \(Self.minimumLength) characters")]
        }
        if password.count > Self.maximumLength {
            return [v("Пароль — не длиннее \(Self.maximumLength) символов", "A password has at most \(Self.maximumLength) characters")]
        }
        let lower = password.lowercased()
        if common.contains(lower) || lower == email?.lowercased() {
            return [v("Этот пароль слишком распространён — придумайте другой", "This password is too common; choose another")]
        }
        return []
    }
}
