import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// `crm.activity.add/get/list`: a deal's activities are its notes (Bitrix24's `OWNER_TYPE_ID` 2 is a deal). The
/// subject is the note's first line and the description the rest, so an activity reads back as it was written.
extension Bitrix24Methods {
    /// Bitrix24's entity type of deals.
    static let dealOwnerType: Int64 = 2

    func activityAdd(_ p: JSONValue) async throws -> Bitrix24Reply {
        let f = p[lenient: "fields"] ?? .null
        let deal = try activityDeal(f)
        let subject = f[lenient: "SUBJECT"]?.lenientText?.trimmed ?? ""
        let description = f[lenient: "DESCRIPTION"]?.lenientText?.trimmed ?? ""
        let text = [subject, description].filter { !$0.isEmpty }.joined(separator: "\n")
        let note = try await services.deals.addNote(deal: deal, text: text, actor: principal.actor, principal: principal)
        return Bitrix24Reply(result: .number(Double(note.id.rawValue)))
    }

    func activityGet(_ p: JSONValue) async throws -> Bitrix24Reply {
        let id = NoteID(try Self.id(p))
        let note = try await store.read { s in
            let note = try await s.note(id)
            guard let deal = note.deal else { throw AppError.notFound("No activity with id \(id)") }
            return try await access.notes([note], deal: deal, in: s)[0]
        }
        return Bitrix24Reply(result: Self.activityRow(note))
    }

    /// The activities of one deal (`filter[OWNER_ID]`), oldest first, 50 a page.
    func activityList(_ p: JSONValue) async throws -> Bitrix24Reply {
        let deal = try activityDeal(p[lenient: "filter"] ?? .null)
        let notes = try await store.read { s in try await access.notes(try await s.notes(deal: deal), deal: deal, in: s) }
        let (offset, counts) = Self.start(p)
        let page = (Self.descending(p) ? notes.reversed() : notes).dropFirst(offset).prefix(Self.pageSize).map(Self.activityRow)
        return Self.page(Array(page), offset: offset, total: counts ? notes.count : nil)
    }

    /// The deal of `OWNER_TYPE_ID` 2 and `OWNER_ID`; other owners are not ours to keep activities for.
    func activityDeal(_ fields: JSONValue) throws -> DealID {
        if let type = fields[lenient: "OWNER_TYPE_ID"]?.lenientInt, type != Self.dealOwnerType {
            throw Bitrix24Error.invalid(
                russian ? "Дела ведутся только по сделкам (OWNER_TYPE_ID 2)" : "Activities belong to deals only (OWNER_TYPE_ID 2)")
        }
        guard let id = fields[lenient: "OWNER_ID"]?.lenientInt else {
            throw Bitrix24Error.invalid(russian ? "Укажите сделку: OWNER_ID" : "Name the deal: OWNER_ID")
        }
        return DealID(id)
    }

    /// A note as a Bitrix24 activity (type 4, a comment-like record that is already done).
    static func activityRow(_ note: Note) -> JSONValue {
        let lines = note.text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        return .object([
            "ID": .string(note.id.description), "OWNER_ID": .string((note.deal?.rawValue ?? 0).description),
            "OWNER_TYPE_ID": .string("\(dealOwnerType)"),
            "TYPE_ID": .string("4"), "SUBJECT": .string(lines.first.map(String.init) ?? ""),
            "DESCRIPTION": .string(lines.count > 1 ? String(lines[1]) : ""), "COMPLETED": .string("Y"),
            "AUTHOR_ID": .string(note.author?.description ?? "0"), "RESPONSIBLE_ID": .string(note.author?.description ?? "0"),
            "CREATED": iso(note.createdAt), "LAST_UPDATED": iso(note.createdAt),
        ])
    }
}
