import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Hummingbird

/// The deal card: editable fields, the stage path with the current stage's instructions, tasks, the timeline, and
/// the moves (move, close won or lost, reopen, copy). Every change is a plain form post, so the card works without
/// JavaScript; each goes through the same services as the API.
struct DealPage {
    typealias Option = WebOption
    struct Step {
        let key: String
        let name: String
        let state: String
        let keyStage: Bool
    }
    struct Input {
        let id: String
        let name: String
        let label: String
        let value: String
        let type: String
        let options: [Option]?
        let checked: Bool
        let required: Bool
        let readOnly: Bool
        // Stored, not computed: Mustache reads values by reflection, which sees stored properties only.
        let isSelect: Bool
        let isCheckbox: Bool
        let isText: Bool

        init(
            id: String, name: String, label: String, value: String, type: String, options: [Option]?, checked: Bool, required: Bool,
            readOnly: Bool
        ) {
            self.id = id
            self.name = name
            self.label = label
            self.value = value
            self.type = type
            self.options = options
            self.checked = checked
            self.required = required
            self.readOnly = readOnly
            isSelect = options != nil
            isCheckbox = type == "checkbox"
            isText = options == nil && type != "checkbox"
        }
    }
    struct TaskRow {
        let id: Int64
        let title: String
        let due: String
        let overdue: Bool
        let open: Bool
        let status: String
    }
    struct Event {
        let at: String
        let what: String
        let detail: String
        let who: String
    }
    let id: Int64
    let title: String
    let pipeline: String
    let pipelineKey: String
    let stage: String
    let status: String
    let statusText: String
    let open: Bool
    let amount: String
    let responsible: String
    let contactName: String?
    let contactPhones: String
    let contactEmails: String
    let company: String?
    let path: [Step]
    let instructions: String?
    let needed: String?
    let inputs: [Input]
    let moves: [Option]
    let reasons: [Option]
    let pipelines: [Option]
    let tasks: [TaskRow]
    let timeline: [Event]
    let documents: [Option]
    let edits: Bool
    let manages: Bool
    /// The new-task form's default due time (tomorrow at 10:00 on the viewer's clock) and the kinds it offers.
    let taskDue: String
    let taskKinds: [Option]
    let tags: TagChips
    let notes: NoteList

    static func load(_ id: DealID, viewer: WebViewer, services: AppServices) async throws -> DealPage {
        let principal = viewer.principal
        let now = services.clock.now()
        return try await services.store.read { s in
            let deal = try await s.deal(id)
            guard principal.sees(deal) else { throw AppError.notFound("No deal with id \(id)") }
            let catalog = try await s.fieldCatalog()
            let pipelines = try await s.pipelines().filter { principal.seesPipeline($0.key) }
            guard let pipeline = pipelines.first(where: { $0.key == deal.pipeline }) else { throw AppError.notFound("No deal with id \(id)") }
            // The card shows what the viewer may see; `snapshot` keeps every value so free text can be cleaned of them.
            let view = FieldView(principal, catalog: catalog)
            let snapshot = try await s.snapshot(of: deal)
            let shown = view.snapshot(snapshot)
            let users = try await s.users()
            let names = Dictionary(users.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            let stage = pipeline.stage(deal.stage)
            let tasks = try await s.tasks(TaskFilter(deal: id))
            let timeline = try await s.timeline(deal: id)
            let documents = try await s.documents(deal: id)
            let notes = try await s.notes(deal: id).map { view.note($0, in: snapshot) }
            let edits = principal.edits(deal)
            let tags = TagChips(
                try await s.tags(.deal, of: id.rawValue), action: "/deals/\(id)/tags", edits: edits,
                suggestions: try await s.tagsInUse(
                    [.deal], prefix: nil, limit: TagChips.suggestionLimit, scope: principal.dealScope(pipelines: pipelines.map(\.key))
                ).map(\.tag)
            ) { "/board/\(pipeline.key)?tag=\(Web.encode($0))" }
            return DealPage(
                id: id.rawValue, title: deal.title, pipeline: viewer.text(pipeline.name), pipelineKey: pipeline.key.rawValue,
                stage: stage.map { viewer.text($0.name) } ?? deal.stage.rawValue, status: deal.status.rawValue,
                statusText: WebText.labels(viewer.locale)["status." + deal.status.rawValue] ?? deal.status.rawValue, open: deal.status == .open,
                amount: shown.deal.amount.map(WebFormat.money) ?? "—", responsible: shown.deal.responsible.flatMap { names[$0] } ?? "—",
                contactName: shown.contact?.name, contactPhones: shown.contact?.phones.joined(separator: ", ") ?? "",
                contactEmails: shown.contact?.emails.joined(separator: ", ") ?? "", company: shown.company?.name,
                path: path(pipeline, deal: deal, viewer: viewer), instructions: stage?.instructions.map(viewer.text),
                needed: stage.flatMap { st in
                    let refs = st.requiredToLeave.map { viewer.text(RequiredFields.displayName($0, fields: catalog)) }
                    return refs.isEmpty ? nil : refs.joined(separator: ", ")
                },
                inputs: inputs(shown.deal, pipeline: pipeline, view: view, users: users, viewer: viewer, edits: edits),
                moves: pipeline.openStages.filter { $0.key != deal.stage }.map {
                    Option(value: $0.key.rawValue, label: viewer.text($0.name), selected: false)
                },
                reasons: pipeline.lostStages.map { Option(value: $0.key.rawValue, label: viewer.text($0.name), selected: false) },
                pipelines: pipelines.filter { $0.key != pipeline.key }.map {
                    Option(value: $0.key.rawValue, label: viewer.text($0.name), selected: false)
                },
                tasks: tasks.map { t in
                    TaskRow(
                        id: t.id.rawValue, title: view.redact(t.title, in: snapshot), due: viewer.time(t.dueAt),
                        overdue: t.status == .open && t.dueAt < now,
                        open: t.status == .open, status: t.status.rawValue)
                },
                timeline: timeline.reversed().compactMap { view.timeline($0, in: snapshot) }.map {
                    event($0, pipeline: pipeline, catalog: catalog, names: names, viewer: viewer)
                },
                documents: documents.map {
                    Option(value: "/api/v1/documents/\($0.id)", label: view.redact($0.name, in: snapshot), selected: false)
                },
                edits: edits, manages: principal.manages(deal), taskDue: viewer.zone.local(viewer.morning(after: now)).inputText,
                taskKinds: taskKinds(viewer), tags: tags,
                notes: NoteList(notes, users: users, viewer: viewer, changes: edits, now: now, action: "/deals/\(id)/notes"))
        }
    }

    /// The kinds of task, as a form's options.
    static func taskKinds(_ viewer: WebViewer, selected: DealTask.Kind? = .task) -> [Option] {
        let t = WebText.labels(viewer.locale)
        return DealTask.Kind.allCases.map { Option(value: $0.rawValue, label: t["taskKind." + $0.rawValue] ?? $0.rawValue, selected: $0 == selected) }
    }

    static func path(_ pipeline: Pipeline, deal: Deal, viewer: WebViewer) -> [Step] {
        let current = pipeline.stages.firstIndex { $0.key == deal.stage } ?? 0
        var steps = pipeline.openStages.enumerated().map { index, stage in
            Step(
                key: stage.key.rawValue, name: viewer.text(stage.name),
                state: stage.key == deal.stage ? "current" : index < current ? "done" : "ahead", keyStage: stage.isKeyStage)
        }
        if let closing = pipeline.stage(deal.stage), closing.isClosing {
            steps.append(Step(key: closing.key.rawValue, name: viewer.text(closing.name), state: "current \(deal.status.rawValue)", keyStage: false))
        }
        return steps
    }
}
