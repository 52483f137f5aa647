import AutofunnelCore
import Crypto
import Foundation

/// A note of a notes file, on the deal the source calls `deal`.
struct ImportedNote: Sendable {
    var row: Int
    var externalID: String
    var deal: String
    var at: Timestamp
    var author: UserID?
    var text: String
}

/// A task of a tasks file, on the deal the source calls `deal`.
struct ImportedTask: Sendable {
    var row: Int
    var externalID: String
    var deal: String
    var title: String
    var text: String?
    var dueAt: Timestamp
    var assignee: UserID?
    var creator: UserID?
    var createdAt: Timestamp
    var status: DealTask.Status
    var doneAt: Timestamp?
    var result: String?
}

/// The rows of a notes file (`ExportService.noteColumns`) or a tasks file (`ExportService.taskColumns`) in batches, read
/// and checked; columns are found by name in any order, others ignored. Moments are read as the deals file's are (ISO
/// 8601 always, dotted dates in the mapping's order and zone); people are e-mails of our users (or names the
/// mapping's `users` maps to one), an unknown one left empty. A row without `id` is known by a digest of its deal,
/// moment and text, so a file without ids imports once too; an id twice in a file is refused the second time.
///
/// One batch is read at a time, by one task at a time, so the mutable state needs no lock.
final class ActivityFeed: @unchecked Sendable {
    enum Kind: String, Sendable {
        case notes, tasks
    }

    private let file: any ImportTable
    private let kind: Kind
    private let columns: [String: Int]
    private let source: String
    private let dates: ImportDates
    private let people: [String: UserID]
    private let batchSize: Int
    private var seen: [String: Int] = [:]
    /// Rows read so far (the header not counted).
    private(set) var rows = 0
    let format: String

    init(url: URL, kind: Kind, mapping: ImportMapping, users: [User], batchSize: Int) throws {
        file = try ImportTables.open(url)
        format = file.format
        self.kind = kind
        guard let header = try file.next() else { throw ImportProblem(row: 1, "The \(kind.rawValue) file is empty: no header row") }
        var columns: [String: Int] = [:]
        for (i, name) in header.fields.enumerated() {
            let key = name.trimmingWhitespace.lowercased()
            if columns[key] == nil { columns[key] = i }
        }
        let needed = kind == .notes ? ["deal_id", "text"] : ["deal_id", "title"]
        guard needed.allSatisfy({ columns[$0] != nil }) else {
            throw ImportProblem(
                row: 1, "The \(kind.rawValue) file needs the columns \(needed.joined(separator: " and ")) (see `export \(kind.rawValue)`)")
        }
        self.columns = columns
        source = mapping.source
        dates = ImportDates(dayFirst: mapping.dates != "MM.dd.yyyy", zone: ImportDates.zone(named: mapping.timeZone ?? "UTC") ?? .gmt)
        var people = Dictionary(users.map { ($0.email.lowercased(), $0.id) }, uniquingKeysWith: { a, _ in a })
        for (name, email) in mapping.users ?? [:] {
            if let id = people[email.lowercased()] { people[name.lowercased()] = id }
        }
        self.people = people
        self.batchSize = max(1, batchSize)
    }

    /// One row: a note, a task, or why it is refused.
    enum Row: Sendable {
        case note(ImportedNote)
        case task(ImportedTask)
        case refused(ImportProblem)

        var deal: String? {
            switch self {
            case .note(let n): n.deal
            case .task(let t): t.deal
            case .refused: nil
            }
        }

        var externalID: String? {
            switch self {
            case .note(let n): n.externalID
            case .task(let t): t.externalID
            case .refused: nil
            }
        }
    }

    /// Up to a batch of rows (empty at the end of the file).
    func nextBatch() throws -> [Row] {
        var batch: [Row] = []
        while batch.count < batchSize, let record = try file.next() {
            rows += 1
            var row = read(ImportService.cells(record, source: source), line: record.line)
            if let id = row.externalID {
                if let first = seen[id] {
                    row = .refused(ImportProblem(row: record.line, column: column("id"), "The id \(id) is on row \(first) already: each record once"))
                } else {
                    seen[id] = record.line
                }
            }
            batch.append(row)
        }
        return batch
    }

    /// The column as a problem names it: `notes file: deal_id`.
    func column(_ name: String) -> String { "\(kind.rawValue) file: \(name)" }

    func read(_ cells: [String], line: Int) -> Row {
        func cell(_ name: String) -> String? {
            guard let i = columns[name], i < cells.count else { return nil }
            let v = cells[i].trimmingWhitespace
            return v.isEmpty ? nil : v
        }
        func refuse(_ name: String, _ message: String) -> Row { .refused(ImportProblem(row: line, column: column(name), message)) }
        func moment(_ name: String) -> Result<Timestamp?, ImportProblem> {
            guard let text = cell(name) else { return .success(nil) }
            guard let t = dates.parse(text), Timestamp.accepted.contains(t) else {
                return .failure(ImportProblem(row: line, column: column(name), "'\(text.prefix(40))' is no moment (ISO 8601 or dd.MM.yyyy HH:mm)"))
            }
            return .success(t)
        }
        func person(_ name: String) -> UserID? { cell(name).flatMap { people[$0.lowercased()] } }
        guard let deal = cell("deal_id") else { return refuse("deal_id", "A row needs the deal's id in the source (deal_id)") }
        guard deal.count <= 200 else { return refuse("deal_id", "A deal id has at most 200 characters") }
        if let id = cell("id"), id.count > 200 { return refuse("id", "An id has at most 200 characters") }
        do {
            switch kind {
            case .notes:
                let text: String
                do { text = try DealService.noteText(cell("text") ?? "") } catch { return refuse("text", ImportService.describe(error)) }
                guard let at = try moment("at").get() ?? moment("created_at").get() else {
                    return refuse("at", "A note needs the moment it was written (at)")
                }
                let id = cell("id") ?? Self.digest([deal, String(at.millis), text])
                return .note(ImportedNote(row: line, externalID: id, deal: deal, at: at, author: person("author"), text: text))
            case .tasks:
                let title: String
                do { title = try DealService.taskTitle(cell("title") ?? "") } catch { return refuse("title", ImportService.describe(error)) }
                let text = cell("text")
                if let text, let unstorable = UserText.unstorable(text, field: "text") { return refuse("text", unstorable.message.en) }
                let result = cell("result")
                if let result, let unstorable = UserText.unstorable(result, field: "result") { return refuse("result", unstorable.message.en) }
                let due = try moment("due_at").get()
                guard let created = try moment("created_at").get() ?? due else {
                    return refuse("created_at", "A task needs the moment it was made (created_at) or its due time (due_at)")
                }
                let status: DealTask.Status
                if let text = cell("status")?.lowercased() {
                    guard let known = DealTask.Status(rawValue: text) else { return refuse("status", "A task's status is open, done or closed") }
                    status = known
                } else {
                    status = cell("done").map { ["true", "yes", "y", "1", "да", "done"].contains($0.lowercased()) } == true ? .done : .open
                }
                let doneAt = status == .open ? nil : try moment("done_at").get() ?? created
                let id = cell("id") ?? Self.digest([deal, String(created.millis), title])
                return .task(
                    ImportedTask(
                        row: line, externalID: id, deal: deal, title: title, text: text, dueAt: due ?? created, assignee: person("responsible"),
                        creator: person("author"), createdAt: created, status: status, doneAt: doneAt, result: status == .open ? nil : result))
            }
        } catch let problem as ImportProblem {
            return .refused(problem)
        } catch {
            return .refused(ImportProblem(row: line, "\(error)"))
        }
    }

    /// The id of a row that has none: `row:` and the start of a SHA-256 of what tells it apart.
    static func digest(_ parts: [String]) -> String {
        let hash = SHA256.hash(data: Data(parts.joined(separator: "\u{1F}").utf8))
        return "row:" + hash.prefix(12).map { String(format: "%02x", $0) }.joined()
    }
}
