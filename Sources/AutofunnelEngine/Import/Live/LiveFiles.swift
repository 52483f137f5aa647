import AutofunnelCore
import Foundation

/// Writes what was read as Autofunnel's own export files (`ExportService`'s columns), which `ImportService` reads
/// with no mapping: `deals.csv` (each deal with its main contact and company), `history.csv` (each deal's creation
/// and stage changes, in order), `contacts.csv` and `companies.csv` (every one, also those on no deal), `notes.csv`
/// and `tasks.csv` (those on a deal in `deals.csv`). Cells are quoted but not guarded against formulas: these files
/// are for the importer, which reads them back exactly.
public struct LiveFiles: Sendable {
    public var deals: URL
    public var history: URL
    public var contacts: URL
    public var companies: URL
    public var notes: URL
    public var tasks: URL

    /// The files in `folder`.
    public init(folder: URL) {
        deals = folder.appendingPathComponent("deals.csv")
        history = folder.appendingPathComponent("history.csv")
        contacts = folder.appendingPathComponent("contacts.csv")
        companies = folder.appendingPathComponent("companies.csv")
        notes = folder.appendingPathComponent("notes.csv")
        tasks = folder.appendingPathComponent("tasks.csv")
    }

    /// What was written.
    public struct Counts: Sendable, Equatable {
        public var deals = 0
        public var moves = 0
        public var contacts = 0
        public var companies = 0
        public var notes = 0
        public var tasks = 0
        /// Notes and tasks left out: of a kind not brought, on no deal, or on a deal not written.
        public var skippedNotes = 0
        public var skippedTasks = 0
    }

    /// Writes the four files from `snapshot`, its statuses resolved through `stages`. Deals of a pipeline not read
    /// are left out; moves in another pipeline than the deal's are left out (the import replays one pipeline's history).
    @discardableResult
    public func write(_ snapshot: LiveSnapshot, stages: LiveStages) throws -> Counts {
        var counts = Counts()
        let contacts = Dictionary(snapshot.contacts.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let companies = Dictionary(snapshot.companies.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let moves = Dictionary(grouping: snapshot.moves, by: \.deal)
        var dealText = Self.line(ExportService.dealColumns)
        var historyText = Self.line(ExportService.historyColumns)
        var written: Set<String> = []
        for deal in snapshot.deals {
            guard let (pipeline, stage) = stages.stage(pipeline: deal.pipeline, status: deal.status) else { continue }
            let contact = deal.contact.flatMap { contacts[$0] }
            let company = deal.company.flatMap { companies[$0] }
            dealText += Self.line([
                deal.id, pipeline.rawValue, stage.rawValue, "", deal.title, deal.amount ?? "", deal.amount == nil ? "" : (deal.currency ?? ""),
                deal.responsible.flatMap { snapshot.users[$0] } ?? deal.responsible.map { "user-" + $0 } ?? "", "",
                deal.contact ?? "", contact?.name ?? "", (contact?.phones ?? []).joined(separator: ExportText.listSeparator),
                (contact?.emails ?? []).joined(separator: ExportText.listSeparator), deal.company ?? "", company?.name ?? "", "",
                ExportText.moment(deal.createdAt), "", deal.closedAt.map(ExportText.moment) ?? "", deal.lossComment ?? "", "",
            ])
            counts.deals += 1
            written.insert(deal.id)
            var own = (moves[deal.id] ?? []).filter { $0.pipeline == deal.pipeline }.enumerated()
                .sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
            if !own.contains(where: { $0.from == nil }) {
                let known = own.first?.from.flatMap { $0.isEmpty ? nil : $0 }
                let start = known ?? own.first?.to ?? deal.status
                let at = min(deal.createdAt, own.first?.at ?? deal.createdAt)
                own.insert(RemoteMove(deal: deal.id, pipeline: deal.pipeline, from: nil, to: start, at: at), at: 0)
            }
            // Each row leaves the stage the row before entered: the chain stays whole when the source omits an origin.
            var previous: StageKey?
            for move in own {
                guard let (_, to) = stages.stage(pipeline: move.pipeline, status: move.to) else { continue }
                if move.from != nil && previous == to { continue }
                historyText += Self.line([
                    deal.id, pipeline.rawValue, move.from == nil ? "" : previous?.rawValue ?? "", to.rawValue, ExportText.moment(move.at),
                    "import", move.by.flatMap { snapshot.users[$0] } ?? "", "", "", "", "",
                ])
                previous = to
                if move.from != nil { counts.moves += 1 }
            }
        }
        var contactText = Self.line(ExportService.contactColumns)
        for c in snapshot.contacts {
            contactText += Self.line([
                c.id, c.name, c.phones.joined(separator: ExportText.listSeparator), c.emails.joined(separator: ExportText.listSeparator),
                c.company ?? "", c.company.flatMap { companies[$0]?.name } ?? "", ExportText.moment(c.createdAt),
            ])
            counts.contacts += 1
        }
        var companyText = Self.line(ExportService.companyColumns)
        for c in snapshot.companies {
            companyText += Self.line([c.id, c.name, ExportText.moment(c.createdAt)])
            counts.companies += 1
        }
        func email(_ id: String?) -> String { id.flatMap { snapshot.users[$0] } ?? "" }
        var noteText = Self.line(ExportService.noteColumns)
        counts.skippedNotes = snapshot.skippedNotes
        for n in snapshot.notes {
            guard written.contains(n.deal) else {
                counts.skippedNotes += 1
                continue
            }
            noteText += Self.line([n.id, n.deal, ExportText.moment(n.at), email(n.author), n.text])
            counts.notes += 1
        }
        var taskText = Self.line(ExportService.taskColumns)
        counts.skippedTasks = snapshot.skippedTasks
        for t in snapshot.tasks {
            guard written.contains(t.deal) else {
                counts.skippedTasks += 1
                continue
            }
            taskText += Self.line([
                t.id, t.deal, t.title, t.text ?? "", t.dueAt.map(ExportText.moment) ?? "", email(t.responsible), email(t.author),
                ExportText.moment(t.createdAt), t.status.rawValue, t.doneAt.map(ExportText.moment) ?? "", t.result ?? "",
            ])
            counts.tasks += 1
        }
        for (text, url) in [
            (dealText, deals), (historyText, history), (contactText, self.contacts), (companyText, self.companies), (noteText, self.notes),
            (taskText, self.tasks),
        ] {
            try Data(text.utf8).write(to: url, options: .atomic)
        }
        return counts
    }

    /// One CSV line: RFC 4180 quoting, CRLF.
    static func line(_ cells: [String]) -> String {
        cells.map { cell in
            guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return cell }
            return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",") + "\r\n"
    }
}
