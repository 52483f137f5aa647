import AutofunnelCore

/// A record that already has what a new one was sent with (a contact's phone or e-mail, a company's tax id): the
/// answer to a create that would make a duplicate, so the caller can open the existing one or create anyway.
public struct ExistingRecord: Hashable, Sendable {
    /// `contact` or `company`.
    public var entity: String
    public var id: Int64
    public var name: String
    /// The phone, e-mail or tax id, as stored, that both share.
    public var matched: String
    /// Other records that share it too (lowest id first, a few at most).
    public var others: [Int64]

    public init(entity: String, id: Int64, name: String, matched: String, others: [Int64] = []) {
        self.entity = entity
        self.id = id
        self.name = name
        self.matched = matched
        self.others = others
    }

    /// Every record found, this one first.
    public var ids: [Int64] { [id] + others }

    /// What a person reads: which record has what, and how to create anyway.
    public var message: Localized {
        entity == "company"
            ? .init(
                ru: "Компания \(id) «\(name)» уже с этим ИНН (\(matched)); чтобы всё же создать, отправьте allowDuplicate: true",
                en: "Company \(id) '\(name)' already has this tax id (\(matched)); send allowDuplicate: true to create another")
            : .init(
                ru: "Контакт \(id) «\(name)» уже с этим телефоном или e-mail (\(matched)); чтобы всё же создать, отправьте allowDuplicate: true",
                en: "Contact \(id) '\(name)' already has this phone or e-mail (\(matched)); send allowDuplicate: true to create another")
    }
}
