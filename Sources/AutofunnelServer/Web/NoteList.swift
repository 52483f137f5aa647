import AutofunnelCore

/// The notes block of a deal, contact or company card (`notes.mustache`): pinned notes first, each text in runs with
/// its `@mentions` marked (every run escaped by the template, never raw HTML), the pin and edit forms where the viewer
/// may use them, and the new-note form.
struct NoteList {
    struct Part {
        let text: String
        let mention: Bool
    }
    struct Item {
        let id: Int64
        let at: String
        let who: String
        let parts: [Part]
        let text: String
        let pinned: Bool
        let edited: Bool
        /// The viewer wrote it and its 15 minutes have not passed.
        let editable: Bool
        let pins: Bool
    }
    let items: [Item]
    /// Where the new-note form posts.
    let action: String
    let adds: Bool

    /// `notes` in card order; `changes` is whether the viewer may change the record (add, pin).
    init(_ notes: [Note], users: [User], viewer: WebViewer, changes: Bool, now: Timestamp, action: String) {
        let names = Dictionary(users.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        items = notes.sorted(by: Note.cardOrder).map { n in
            Item(
                id: n.id.rawValue, at: viewer.time(n.createdAt), who: n.author.flatMap { names[$0] } ?? "",
                parts: Mentions.segments(n.text, among: users).map { Part(text: $0.text, mention: $0.mention) }, text: n.text, pinned: n.pinned,
                edited: n.editedAt != nil, editable: changes && n.editRefusal(by: viewer.user.id, at: now) == nil, pins: changes)
        }
        self.action = action
        adds = changes
    }
}
