import AutofunnelCore
import AutofunnelStore

extension DealService {
    /// Adds a note to a deal the caller may change, with its timeline entry.
    public func addNote(deal id: DealID, text: String, actor: Actor, principal: Principal?) async throws -> Note {
        let clean = try Self.noteText(text)
        let now = clock.now()
        return try await store.write { s in try await addNote(in: s, deal: id, text: clean, actor: actor, principal: principal, now: now) }
    }

    /// `addNote` inside the caller's transaction (the text already checked by `noteText`).
    public func addNote(in s: StoreSession, deal id: DealID, text: String, actor: Actor, principal: Principal?, now: Timestamp) async throws -> Note {
        try Self.authorize(try await s.deal(id, forUpdate: true), principal, .edit)
        let note = try await s.insertNote(deal: id, text: text, author: actor.userID, at: now)
        try await s.appendTimeline([TimelineEntry(deal: id, at: now, kind: "note", text: text, actor: actor)])
        try await NoteService.notifyMentions(note, previous: nil, in: s, now: now)
        return note
    }

    /// A note's text, trimmed, of 1 to 20,000 characters.
    public static func noteText(_ text: String) throws -> String {
        let clean = text.trimmed
        if let unstorable = UserText.unstorable(clean, field: "text") { throw AppError.refused([unstorable]) }
        guard !clean.isEmpty, clean.count <= Note.maxLength else {
            throw AppError.refused([
                .init(
                    rule: .invalidValue, field: "text",
                    message: .init(ru: "Текст заметки: от 1 до 20000 символов", en: "A note has 1 to 20000 characters"))
            ])
        }
        return clean
    }
}
