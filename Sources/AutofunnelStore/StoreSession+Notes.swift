import AutofunnelCore
import SQLKit

extension StoreSession {
    /// Adds a note to a deal.
    public func insertNote(deal: DealID, text: String, author: UserID?, at: Timestamp) async throws -> Note {
        let record = NoteRecord(id: nil, deal_id: deal.rawValue, text: text, author_id: author?.rawValue, created_at: at.millis)
        let id = try await insertReturningID("notes", record)
        return Note(id: NoteID(id), deal: deal, text: text, author: author, createdAt: at)
    }

    /// One note; `notFound` if there is none.
    public func note(_ id: NoteID) async throws -> Note {
        guard
            let record = try await noteQuery().where("id", .equal, id.rawValue).first(decoding: NoteRecord.self)
        else { throw StoreError.notFound(entity: "note", id: id.description) }
        return record.note()
    }

    /// The notes of a deal, oldest first (by the time each was written, which an imported note keeps; then as added).
    public func notes(deal: DealID) async throws -> [Note] {
        try await noteQuery().where("deal_id", .equal, deal.rawValue).orderBy("created_at").orderBy("id").all(decoding: NoteRecord.self)
            .map { $0.note() }
    }

    /// Every deal's notes by id, the page after `after` (nil: the first), for an export.
    public func notes(after: Int64?, limit: Int) async throws -> Page<Note> {
        let query = noteQuery()
        if let after { query.where("id", .greaterThan, after) }
        let rows = try await query.orderBy("id").limit(max(1, limit) + 1).all(decoding: NoteRecord.self)
        let page = rows.prefix(max(1, limit))
        return Page(items: page.map { $0.note() }, nextAfter: rows.count > page.count ? page.last?.id : nil)
    }

    private func noteQuery() -> SQLSelectBuilder { db.select().column(SQLNames(NoteRecord.columns)).from("notes") }

    /// Copies every note of one deal to another, keeping authors and times (close-and-copy keeps the history).
    public func copyNotes(from source: DealID, to target: DealID) async throws {
        for note in try await notes(deal: source) {
            let record = NoteRecord(
                id: nil, deal_id: target.rawValue, text: note.text, author_id: note.author?.rawValue, created_at: note.createdAt.millis)
            try await db.raw(insertStatement(into: "notes", record)).run()
        }
    }
}
