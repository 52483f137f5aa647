import AutofunnelCore

/// A record that already has what a new one was sent with (a contact's phone or e-mail): the answer to a create that
/// would make a duplicate, so the caller can open the existing one or create anyway.
public struct ExistingRecord: Hashable, Sendable {
    /// `contact`.
    public var entity: String
    public var id: Int64
    public var name: String
    /// The phone or e-mail, as stored, that both share.
    public var matched: String

    public init(entity: String, id: Int64, name: String, matched: String) {
        self.entity = entity
        self.id = id
        self.name = name
        self.matched = matched
    }

    /// What a person reads: which record has what, and how to create anyway.
    public var message: Localized {
        .init(
            ru: "Контакт \(id) «\(name)» уже с этим телефоном или e-mail (\(matched)); чтобы всё же создать, отправьте allowDuplicate: true",
            en: "Contact \(id) '\(name)' already has this phone or e-mail (\(matched)); send allowDuplicate: true to create another")
    }
}
