/// A text in Russian and English.
public struct Localized: Hashable, Sendable, Codable {
    public var ru: String
    public var en: String
    public init(ru: String, en: String) {
        self.ru = ru
        self.en = en
    }
}
