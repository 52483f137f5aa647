import AutofunnelCore
import AutofunnelStore

extension NoteService {
    /// Gives each colleague `note` mentions (and `previous`, the text before an edit, did not) a `mentioned` notice, when
    /// they may see the note's record; never its author. On a deal, the excerpt is cleaned of the values the colleague
    /// may not see.
    static func notifyMentions(_ note: Note, previous: String?, in s: StoreSession, now: Timestamp) async throws {
        let users = try await s.users()
        let before = Set((previous.map { Mentions.users(in: $0, among: users) } ?? []).map(\.id))
        let mentioned = Mentions.users(in: note.text, among: users).filter { $0.id != note.author && !before.contains($0.id) }
        guard !mentioned.isEmpty else { return }
        let author = note.author.flatMap { id in users.first { $0.id == id }?.name } ?? "—"
        switch note.owner {
        case .deal(let id):
            let deal = try await s.deal(id)
            let snapshot = try await s.snapshot(of: deal)
            let catalog = try await s.fieldCatalog()
            for user in mentioned {
                let reader = Principal(user: user, grants: try await s.grants(user: user.id))
                guard reader.sees(deal) else { continue }
                let shown = FieldView(reader, catalog: catalog).note(note, in: snapshot)
                try await s.insertNotice(
                    .mentioned(
                        user.id, by: author, record: (ru: "сделка «\(deal.title)»", en: "deal '\(deal.title)'"), deal: deal.id, note: shown.text,
                        at: now))
            }
        case .contact(let id):
            let name = try await s.contact(id).name
            for user in mentioned {
                try await s.insertNotice(
                    .mentioned(user.id, by: author, record: (ru: "контакт «\(name)»", en: "contact '\(name)'"), deal: nil, note: note.text, at: now))
            }
        case .company(let id):
            let name = try await s.company(id).name
            for user in mentioned {
                try await s.insertNotice(
                    .mentioned(user.id, by: author, record: (ru: "компания «\(name)»", en: "company '\(name)'"), deal: nil, note: note.text, at: now))
            }
        }
    }
}
