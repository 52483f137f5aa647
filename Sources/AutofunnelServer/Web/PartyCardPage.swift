import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// A contact's or company's card: its fields (those the viewer may see; those they may not change read-only), phones
/// and e-mails as `tel:`/`mailto:` links, the company (or the company's contacts), the open and closed deals the viewer
/// may see with their stages, and those deals' tasks, notes and timeline. Edit and delete are plain form posts.
struct PartyCardPage {
    typealias Link = PartyListPage.Link
    struct DealRow {
        let id: Int64
        let title: String
        let pipeline: String
        let stage: String
        let status: String
        let statusText: String
        let amount: String
    }
    struct TaskRow {
        let title: String
        let due: String
        let deal: Int64
        let dealTitle: String
        let overdue: Bool
        let status: String
    }
    struct NoteRow {
        let at: String
        let text: String
        let deal: Int64
        let dealTitle: String
        let who: String
    }
    struct Event {
        let at: String
        let what: String
        let detail: String
        let who: String
        let deal: Int64
        let dealTitle: String
        /// A deal's entry (linked to it), not one of the record's own notes.
        let onDeal: Bool
    }
    let kind: String
    let isContacts: Bool
    let id: Int64
    var name: String
    var phones: [Link]
    var emails: [Link]
    var company: Link?
    var contacts: [Link]
    var inputs: [DealPage.Input]
    let openDeals: [DealRow]
    let closedDeals: [DealRow]
    let tasks: [TaskRow]
    let notes: [NoteRow]
    let timeline: [Event]
    let edits: Bool
    let deletes: Bool
    var tags: TagChips? = nil
    /// The record's own notes (the deals' are in `notes`).
    var ownNotes: NoteList? = nil

    /// The deals a card lists (newest first), and the share of them whose timeline it merges.
    static let dealLimit = 50
    static let timelineDeals = 20
    static let timelineLength = 40

    static func phoneLink(_ phone: String) -> Link { Link(href: "tel:" + phone, label: phone) }
    static func emailLink(_ email: String) -> Link { Link(href: "mailto:" + email, label: email) }

    static func load(_ kind: PartyKind, id: Int64, viewer: WebViewer, services: AppServices) async throws -> PartyCardPage {
        let principal = viewer.principal
        let now = services.clock.now()
        return try await services.store.read { s in
            let catalog = try await s.fieldCatalog()
            let view = FieldView(principal, catalog: catalog)
            let pipelines = Dictionary(try await s.pipelines().map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            let users = try await s.users()
            let names = Dictionary(users.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            let scope = principal.dealScope(pipelines: Array(pipelines.keys))
            let deals = try await s.deals(of: kind.table, id: id, scope: scope, limit: dealLimit).filter(principal.sees)
            var snapshots: [DealID: DealSnapshot] = [:]
            for deal in deals { snapshots[deal.id] = try await s.snapshot(of: deal) }
            let t = WebText.labels(viewer.locale)
            func row(_ d: Deal) -> DealRow {
                let pipeline = pipelines[d.pipeline]
                return DealRow(
                    id: d.id.rawValue, title: d.title, pipeline: pipeline.map { viewer.text($0.name) } ?? d.pipeline.rawValue,
                    stage: pipeline?.stage(d.stage).map { viewer.text($0.name) } ?? d.stage.rawValue, status: d.status.rawValue,
                    statusText: t["status." + d.status.rawValue] ?? d.status.rawValue,
                    amount: view.deal(d).amount.map(WebFormat.money) ?? "—")
            }
            var tasks: [TaskRow] = []
            for deal in deals {
                guard let snapshot = snapshots[deal.id] else { continue }
                for task in try await s.tasks(TaskFilter(deal: deal.id), limit: 50) {
                    tasks.append(
                        TaskRow(
                            title: view.task(task, in: snapshot).title, due: viewer.time(task.dueAt), deal: deal.id.rawValue,
                            dealTitle: deal.title, overdue: task.status == .open && task.dueAt < now, status: task.status.rawValue))
                }
            }
            tasks.sort { ($0.status == "open" ? 0 : 1, $0.due) < ($1.status == "open" ? 0 : 1, $1.due) }
            let notes = try await s.notes(deals: deals.map(\.id), offset: 0, limit: 500).suffix(20).reversed().compactMap { n -> NoteRow? in
                guard let deal = n.deal, let snapshot = snapshots[deal] else { return nil }
                return NoteRow(
                    at: viewer.time(n.createdAt), text: view.note(n, in: snapshot).text, deal: deal.rawValue, dealTitle: snapshot.deal.title,
                    who: n.author.flatMap { names[$0] } ?? "")
            }
            var entries: [(TimelineEntry, Deal)] = []
            for deal in deals.prefix(timelineDeals) {
                guard let snapshot = snapshots[deal.id] else { continue }
                entries += try await s.timeline(deal: deal.id).compactMap { view.timeline($0, in: snapshot) }.map { ($0, deal) }
            }
            let own = try await s.notes(of: kind.noteOwner(id))
            // The record's own notes join its deals' entries, by time (a note before a deal's entry of the same moment).
            var events: [(at: Timestamp, seq: Int64, event: Event)] = own.map { n in
                (
                    n.createdAt, 0,
                    Event(
                        at: viewer.time(n.createdAt), what: t["event.note"] ?? "", detail: n.text, who: n.author.flatMap { names[$0] } ?? "", deal: 0,
                        dealTitle: "", onDeal: false)
                )
            }
            for (e, deal) in entries {
                guard let pipeline = pipelines[deal.pipeline] else { continue }
                let shown = DealPage.event(e, pipeline: pipeline, catalog: catalog, names: names, viewer: viewer)
                events.append(
                    (
                        e.at, e.seq,
                        Event(
                            at: shown.at, what: shown.what, detail: shown.detail, who: shown.who, deal: deal.id.rawValue, dealTitle: deal.title,
                            onDeal: true)
                    ))
            }
            events.sort { ($0.at, $0.seq) > ($1.at, $1.seq) }
            let timeline = events.prefix(timelineLength).map(\.event)
            let edits = principal.mayWrite
            var page = PartyCardPage(
                kind: kind.rawValue, isContacts: kind == .contacts, id: id, name: "", phones: [], emails: [], company: nil, contacts: [],
                inputs: [], openDeals: deals.filter { $0.status == .open }.map(row), closedDeals: deals.filter { $0.status != .open }.map(row),
                tasks: Array(tasks.prefix(50)), notes: notes, timeline: timeline, edits: edits, deletes: principal.deletesParties)
            page.ownNotes = NoteList(own, users: users, viewer: viewer, changes: edits, now: now, action: "\(kind.path)/\(id)/notes")
            page.tags = TagChips(
                try await s.tags(kind.tagKind, of: id), action: "\(kind.path)/\(id)/tags", edits: edits,
                suggestions: try await s.tagsInUse([kind.tagKind], prefix: nil, limit: TagChips.suggestionLimit).map(\.tag)
            ) { "\(kind.path)?tag=\(Web.encode($0))" }
            switch kind {
            case .contacts:
                let contact = view.contact(try await s.contact(ContactID(id)))
                let company = try await contact.company.asyncMap { try await s.linkedCompany($0) }
                page.name = contact.name
                page.phones = contact.phones.map(phoneLink)
                page.emails = contact.emails.map(emailLink)
                page.company = company.map { Link(href: "/companies/\($0.id)", label: $0.name) }
                page.inputs = PartyForm.contactInputs(contact, company: company, view: view, users: users, viewer: viewer, edits: edits)
            case .companies:
                let company = view.company(try await s.company(CompanyID(id)))
                let query = OffsetListQuery(conditions: [.init(column: "company_id", comparison: .equal, values: [.int(id)])], limit: 100)
                page.name = company.name
                page.contacts = try await s.offsetContacts(query).items.map { Link(href: "/contacts/\($0.id)", label: $0.name) }
                page.inputs = PartyForm.companyInputs(company, view: view, users: users, viewer: viewer, edits: edits)
            }
            return page
        }
    }
}
