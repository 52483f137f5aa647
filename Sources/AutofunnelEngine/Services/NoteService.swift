import AutofunnelCore
import AutofunnelStore

/// Notes on deals, contacts and companies: who may read, add, change and pin them, each change with its timeline entry
/// (a deal's) and the `mentioned` notices its `@mentions` make. A deal's notes follow the deal's access (`Principal`);
/// contacts and companies are read by every user and changed by those who may write records.
public struct NoteService: Sendable {
    let deals: DealService
    var store: Store { deals.store }

    public init(deals: DealService) { self.deals = deals }

    /// What a note's author is told when the time to change it has passed.
    public static let tooLate = Localized(
        ru: "Заметку может изменить только её автор и только в течение 15 минут после написания",
        en: "A note can be changed by its author only, within 15 minutes of writing it")

    /// The notes of a record the caller may read (else 404), pinned first, then newest first; a deal's notes without the
    /// deal's values hidden from the caller.
    public func notes(of owner: Note.Owner, principal: Principal) async throws -> [Note] {
        try await store.read { s in
            let notes = try await s.notes(of: owner)
            switch owner {
            case .deal(let id):
                return try await RecordAccess(principal: principal, store: store).notes(notes, deal: id, in: s).sorted(by: Note.cardOrder)
            case .contact(let id): _ = try await s.contact(id)
            case .company(let id): _ = try await s.company(id)
            }
            return notes.sorted(by: Note.cardOrder)
        }
    }

    /// Adds a note to a record the caller may change; a colleague it `@mentions` who may see the record gets a notice.
    public func add(to owner: Note.Owner, text: String, principal: Principal) async throws -> Note {
        let clean = try DealService.noteText(text)
        let now = deals.clock.now()
        return try await store.write { s in
            if case .deal(let id) = owner {
                return try await deals.addNote(in: s, deal: id, text: clean, actor: principal.actor, principal: principal, now: now)
            }
            _ = try await Self.record(owner, in: s, principal: principal)
            let note = try await s.insertNote(owner, text: clean, author: principal.user.id, at: now)
            try await Self.notifyMentions(note, previous: nil, in: s, now: now)
            return note
        }
    }

    /// Changes a note's text (its author only, within `Note.editWindowMillis`: 403 for someone else's, 409 when too
    /// late) and/or pins or unpins it (anyone who may change the record). A colleague newly mentioned gets a notice.
    public func change(_ id: NoteID, text: String?, pinned: Bool?, principal: Principal) async throws -> Note {
        let clean = try text.map(DealService.noteText)
        let now = deals.clock.now()
        return try await store.write { s in
            let note = try await s.note(id, forUpdate: true)
            let deal = try await Self.record(note.owner, in: s, principal: principal)
            var newText: String? = nil
            if let clean, clean != note.text {
                switch note.editRefusal(by: principal.user.id, at: now) {
                case .notAuthor?:
                    throw AppError.forbidden(
                        ru: "Чужую заметку менять нельзя: это запись", en: "Someone else's note is a record: it cannot be changed")
                case .tooLate?: throw AppError.conflict(Self.tooLate.en)
                case nil: newText = clean
                }
            }
            let newPin = pinned.flatMap { $0 == note.pinned ? nil : $0 }
            guard newText != nil || newPin != nil else { return note }
            let changed = try await s.updateNote(id, text: newText, editedAt: newText == nil ? nil : now, pinned: newPin)
            if let deal {
                var entries: [TimelineEntry] = []
                if let newText { entries.append(TimelineEntry(deal: deal.id, at: now, kind: "note_edited", text: newText, actor: principal.actor)) }
                if let newPin {
                    entries.append(
                        TimelineEntry(
                            deal: deal.id, at: now, kind: newPin ? "note_pinned" : "note_unpinned", text: changed.text, actor: principal.actor))
                }
                try await s.appendTimeline(entries)
            }
            if newText != nil { try await Self.notifyMentions(changed, previous: note.text, in: s, now: now) }
            return changed
        }
    }

    /// Refuses a caller who may not change the note's record (404 when they may not see it); the deal for a deal's note.
    static func record(_ owner: Note.Owner, in s: StoreSession, principal: Principal) async throws -> Deal? {
        switch owner {
        case .deal(let id):
            let deal = try await s.deal(id, forUpdate: true)
            try DealService.authorize(deal, principal, .edit)
            return deal
        case .contact(let id): _ = try await s.contact(id, forUpdate: true)
        case .company(let id): _ = try await s.company(id, forUpdate: true)
        }
        try RecordAccess.requireWriter(principal)
        return nil
    }
}
