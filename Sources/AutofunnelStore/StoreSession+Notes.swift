import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Adds a note to a deal.
    public func insertNote(deal: DealID, text: String, author: UserID?, at: Timestamp) async throws -> Note {
        try await insertNote(.deal(deal), text: text, author: author, at: at)
    }

    /// Adds a note to a deal, contact or company.
    public func insertNote(_ owner: Note.Owner, text: String, author: UserID?, at: Timestamp) async throws -> Note {
        let id = try await insertReturningID("notes", NoteRecord(owner, text: text, author: author, at: at))
        return Note(id: NoteID(id), owner: owner, text: text, author: author, createdAt: at)
    }

    /// One note; `notFound` if there is none. `forUpdate` locks its row for the rest of a write transaction.
    public func note(_ id: NoteID, forUpdate: Bool = false) async throws -> Note {
        let query = noteQuery().where("id", .equal, id.rawValue)
        if forUpdate && db.dialect.name == "postgresql" { query.for(.update) }
        guard let record = try await query.first(decoding: NoteRecord.self) else { throw StoreError.notFound(entity: "note", id: id.description) }
        return record.note()
    }

    /// The notes of a deal, oldest first (by the time each was written, which an imported note keeps; then as added).
    public func notes(deal: DealID) async throws -> [Note] {
        try await notes(of: .deal(deal))
    }

    /// The notes of one deal, contact or company, oldest first (then as added).
    public func notes(of owner: Note.Owner) async throws -> [Note] {
        let (column, id) = Self.noteColumn(owner)
        return try await noteQuery().where(SQLIdentifier(column), .equal, SQLBind(id)).orderBy("created_at").orderBy("id")
            .all(decoding: NoteRecord.self).map { $0.note() }
    }

    /// Changes a note's text (stamping `editedAt`) and/or whether it is pinned; the note as it is now.
    @discardableResult
    public func updateNote(_ id: NoteID, text: String?, editedAt: Timestamp?, pinned: Bool?) async throws -> Note {
        let update = db.update("notes").where("id", .equal, id.rawValue)
        var changes = 0
        if let text {
            update.set("text", to: text)
            update.set("edited_at", to: editedAt?.millis)
            changes += 1
        }
        if let pinned {
            update.set("pinned", to: pinned ? Int64(1) : Int64(0))
            changes += 1
        }
        if changes > 0 { try await update.run() }
        return try await note(id)
    }

    /// Every deal's notes by id, the page after `after` (nil: the first), for an export.
    public func notes(after: Int64?, limit: Int) async throws -> Page<Note> {
        let query = noteQuery().where("deal_id", .isNot, SQLLiteral.null)
        if let after { query.where("id", .greaterThan, after) }
        let rows = try await query.orderBy("id").limit(max(1, limit) + 1).all(decoding: NoteRecord.self)
        let page = rows.prefix(max(1, limit))
        return Page(items: page.map { $0.note() }, nextAfter: rows.count > page.count ? page.last?.id : nil)
    }

    func noteQuery() -> SQLSelectBuilder { db.select().column(SQLNames(NoteRecord.columns)).from("notes") }

    static func noteColumn(_ owner: Note.Owner) -> (String, Int64) {
        switch owner {
        case .deal(let id): ("deal_id", id.rawValue)
        case .contact(let id): ("contact_id", id.rawValue)
        case .company(let id): ("company_id", id.rawValue)
        }
    }

    /// Copies every note of one deal to another, keeping authors, times and pins (close-and-copy keeps the history).
    public func copyNotes(from source: DealID, to target: DealID) async throws {
        for note in try await notes(deal: source) {
            let record = NoteRecord(
                .deal(target), text: note.text, author: note.author, at: note.createdAt, pinned: note.pinned, editedAt: note.editedAt)
            try await db.raw(insertStatement(into: "notes", record)).run()
        }
    }
}
