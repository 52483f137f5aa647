extension Notice {
    /// What a notice is about; a user chooses per kind whether it also comes by e-mail.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// A task they made (or of their team, as head of sales) passed its due time.
        case taskOverdue = "task_overdue"
        /// A rule failed on a deal they are responsible for.
        case automationError = "automation_error"
        /// Someone else made them responsible for a deal.
        case dealAssigned = "deal_assigned"
        /// A colleague mentioned them (`@handle`) in a note.
        case mentioned = "mentioned"
    }

    /// The notice that someone else made a user responsible for a deal (nil when they took it themselves or nothing
    /// changed).
    public static func dealAssigned(_ deal: Deal, previous: UserID?, by actor: Actor, at now: Timestamp) -> Notice? {
        guard let user = deal.responsible, user != previous, user != actor.userID else { return nil }
        return Notice(
            user: user, deal: deal.id, kind: Kind.dealAssigned.rawValue,
            text: "Вам передана сделка «\(deal.title)» / Deal '\(deal.title)' is now yours", createdAt: now)
    }

    /// The notice that a rule failed on a deal, for its responsible.
    public static func automationError(_ deal: Deal, rule: String?, error: String, at now: Timestamp) -> Notice? {
        guard let user = deal.responsible else { return nil }
        let rule = rule.map { " (\($0))" } ?? ""
        return Notice(
            user: user, deal: deal.id, kind: Kind.automationError.rawValue,
            text: "Ошибка автоматизации\(rule) по сделке «\(deal.title)»: \(error) / Automation error\(rule) on deal '\(deal.title)': \(error)",
            createdAt: now)
    }

    /// The notice that `author` mentioned `user` in a note on `record` (its kind and name in both languages), with the
    /// note's first words.
    public static func mentioned(
        _ user: UserID, by author: String, record: (ru: String, en: String), deal: DealID?, note: String, at now: Timestamp
    ) -> Notice {
        let excerpt = note.count > 140 ? String(note.prefix(140)) + "…" : note
        // The Russian half ends at the first " / ", so what users wrote must not carry one into it.
        func safe(_ s: String) -> String { s.replacing(" / ", with: " /\u{00A0}") }
        let flat = excerpt.split(whereSeparator: \.isNewline).joined(separator: " ")
        return Notice(
            user: user, deal: deal, kind: Kind.mentioned.rawValue,
            text:
                "\(safe(author)) упоминает вас в заметке: \(safe(record.ru)) — «\(safe(flat))» / \(author) mentioned you in a note on \(record.en): '\(flat)'",
            createdAt: now)
    }

    /// The notice's text in one language: notices keep both, Russian first, joined by ` / `.
    public func text(ru: Bool) -> String {
        guard let split = text.range(of: " / ") else { return text }
        return ru ? String(text[..<split.lowerBound]) : String(text[split.upperBound...])
    }
}
