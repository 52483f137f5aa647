import AutofunnelCore
import AutofunnelStore

extension ExportService {
    /// Every note on a live deal the reader sees, by id, as a notes file (`noteColumns`), its text without the deal's
    /// values hidden from the reader. `import csv --notes` reads it back after the deals file.
    public func notes(reader: Principal?) -> ExportStream {
        let (store, pageSize) = (self.store, self.pageSize)
        return ExportStream {
            let (view, users) = try await store.read { s in (Self.view(reader, try await s.fieldCatalog()), Self.emails(try await s.users())) }
            return ExportStream.Pager(header: Self.noteColumns) { after in
                try await store.read { s in
                    let page = try await s.notes(after: after, limit: pageSize)
                    let snapshots = try await Self.snapshots(of: page.items.compactMap(\.deal), reader: reader, view: view, in: s)
                    let emails = try await Self.emails(users, covering: page.items.compactMap(\.author), in: s)
                    var lines = ""
                    for note in page.items {
                        guard let deal = note.deal, let snapshot = snapshots[deal] else { continue }
                        let shown = view.note(note, in: snapshot)
                        lines += CSVText.line([
                            shown.id.description, deal.description, ExportText.moment(shown.createdAt),
                            shown.author.flatMap { emails[$0] } ?? "",
                            shown.text,
                        ])
                    }
                    return (lines, page.nextAfter)
                }
            }
        }
    }

    /// Every task on a live deal the reader sees, by id, as a tasks file (`taskColumns`), its title and text without
    /// the deal's values hidden from the reader. `import csv --tasks` reads it back after the deals file.
    public func tasks(reader: Principal?) -> ExportStream {
        let (store, pageSize) = (self.store, self.pageSize)
        return ExportStream {
            let (view, users) = try await store.read { s in (Self.view(reader, try await s.fieldCatalog()), Self.emails(try await s.users())) }
            return ExportStream.Pager(header: Self.taskColumns) { after in
                try await store.read { s in
                    let page = try await s.tasks(after: after, limit: pageSize)
                    let snapshots = try await Self.snapshots(of: page.items.map(\.deal), reader: reader, view: view, in: s)
                    let emails = try await Self.emails(users, covering: page.items.flatMap { [$0.assignee, $0.creator].compactMap { $0 } }, in: s)
                    var lines = ""
                    for task in page.items {
                        guard let snapshot = snapshots[task.deal] else { continue }
                        let shown = view.task(task, in: snapshot)
                        lines += CSVText.line([
                            shown.id.description, shown.deal.description, shown.title, shown.text ?? "", ExportText.moment(shown.dueAt),
                            shown.assignee.flatMap { emails[$0] } ?? "", shown.creator.flatMap { emails[$0] } ?? "",
                            ExportText.moment(shown.createdAt), shown.status.rawValue, Self.cell(shown.completedAt), "",
                        ])
                    }
                    return (lines, page.nextAfter)
                }
            }
        }
    }

    /// The live deals among `ids` the reader sees, as the snapshots their notes and tasks are cleaned against (the
    /// deal alone when the reader sees every value: nothing is cleaned then).
    static func snapshots(of ids: [DealID], reader: Principal?, view: FieldView, in s: StoreSession) async throws -> [DealID: DealSnapshot] {
        var out: [DealID: DealSnapshot] = [:]
        for (id, deal) in try await s.deals(ids: Array(Set(ids))) where reader?.sees(deal) ?? true {
            out[id] = view.showsEverything ? DealSnapshot(deal: deal) : try await s.snapshot(of: deal)
        }
        return out
    }
}
