import AutofunnelCore
import AutofunnelStore

/// What one caller may read and change, for every adapter (the API, both dialects): a record they may not see answers
/// exactly like one that does not exist, and what they read comes without the values hidden from them. The decisions
/// themselves are `Principal`'s and `FieldView`'s; this applies them to what the store holds.
public struct RecordAccess: Sendable {
    public let principal: Principal
    let store: Store

    public init(principal: Principal, store: Store) {
        self.principal = principal
        self.store = store
    }

    /// Refuses callers whose role or token may not change records.
    public func requireWriter() throws { try Self.requireWriter(principal) }

    /// Refuses a principal whose role or token may not change records.
    public static func requireWriter(_ principal: Principal) throws {
        guard principal.mayWrite else {
            throw AppError.forbidden(ru: "Ваша роль или токен только для чтения", en: "Your role or token is read-only")
        }
    }

    /// A deal the caller may read, else 404; `forUpdate` locks its row for the rest of a write transaction.
    public func deal(_ id: DealID, in s: StoreSession, forUpdate: Bool = false) async throws -> Deal {
        let deal = try await s.deal(id, forUpdate: forUpdate)
        guard principal.sees(deal) else { throw AppError.notFound("No deal with id \(id)") }
        return deal
    }

    /// Notes of a deal the caller may read (else 404), their text without the deal's values hidden from the caller.
    public func notes(_ notes: [Note], deal id: DealID, in s: StoreSession) async throws -> [Note] {
        let deal = try await deal(id, in: s)
        let (view, snapshot) = (FieldView(principal, catalog: try await s.fieldCatalog()), try await s.snapshot(of: deal))
        return notes.map { view.note($0, in: snapshot) }
    }

    /// Those of `notes` on live deals the caller may read, in their order, their text without the deals' values hidden
    /// from the caller.
    public func visibleNotes(_ notes: [Note], in s: StoreSession) async throws -> [Note] {
        let view = FieldView(principal, catalog: try await s.fieldCatalog())
        let everything = view.showsEverything
        var snapshots: [DealID: DealSnapshot] = [:]
        for (id, deal) in try await s.deals(ids: Array(Set(notes.compactMap(\.deal)))) where principal.sees(deal) {
            snapshots[id] = everything ? DealSnapshot(deal: deal) : try await s.snapshot(of: deal)
        }
        return notes.compactMap { note in note.deal.flatMap { snapshots[$0] }.map { view.note(note, in: $0) } }
    }

    /// A task of a deal the caller may read (else 404), without the deal's values hidden from the caller.
    public func task(_ id: TaskID) async throws -> DealTask {
        try await store.read { s in
            let task = try await s.task(id)
            let deal = try await deal(task.deal, in: s)
            return FieldView(principal, catalog: try await s.fieldCatalog()).task(task, in: try await s.snapshot(of: deal))
        }
    }

    /// The tasks matching `filter` (up to `limit`) on deals the caller may see, in the store's order; their titles and
    /// texts without the deal's values hidden from the caller.
    public func tasks(_ filter: TaskFilter, limit: Int = 500) async throws -> [DealTask] {
        try await visibleTasks(filter, limit: limit).map(\.task)
    }

    /// The tasks a filter finds with their deals, kept to deals the caller sees, each masked by their field access:
    /// what the tasks page and the calendar feed show.
    public func visibleTasks(_ filter: TaskFilter, limit: Int = 500) async throws -> [VisibleTask] {
        let p = principal
        return try await store.read { s in
            let view = FieldView(p, catalog: try await s.fieldCatalog())
            // Whether anything needs cleaning is the reader's, not the task's: asked once.
            let everything = view.showsEverything
            var out: [VisibleTask] = []
            var seen: [DealID: DealSnapshot?] = [:]
            var scoped = filter
            scoped.scope = p.dealScope(pipelines: try await s.pipelines().map(\.key))
            for task in try await s.tasks(scoped, limit: limit) {
                if seen[task.deal] == nil {
                    let deal = (try? await s.deal(task.deal)).flatMap { p.sees($0) ? $0 : nil }
                    seen[task.deal] = try await deal.asyncMap { everything ? DealSnapshot(deal: $0) : try await s.snapshot(of: $0) }
                }
                if case .some(.some(let snapshot)) = seen[task.deal] {
                    out.append(VisibleTask(task: view.task(task, in: snapshot), deal: snapshot.deal))
                }
            }
            return out
        }
    }

    /// Refuses a write of built-in or custom fields the caller's role may only read or not see.
    public func requireWritable(_ entity: FieldEntity, builtins: [String], custom: [String: JSONValue]?, catalog: FieldCatalog) throws {
        var problems = builtins.filter { principal.access(entity, $0) != .write }.map(DealService.forbiddenField)
        for key in (custom ?? [:]).keys.sorted()
        where principal.access(entity, key, definition: catalog.definition(entity, FieldKey(key))) != .write {
            problems.append(DealService.forbiddenField("fields." + key))
        }
        if !problems.isEmpty { throw AppError.forbidden(problems) }
    }

    /// Refuses a caller who may not change contacts, or not the contact fields sent.
    public func requireContactWrite(_ input: PartyService.ContactInput, catalog: FieldCatalog) throws {
        try requireWriter()
        try requireWritable(.contact, builtins: Self.contactBuiltins(input.phones, input.emails), custom: input.fields, catalog: catalog)
    }

    /// Refuses a caller who may not change companies, or not the company fields sent.
    public func requireCompanyWrite(fields: [String: JSONValue]?, catalog: FieldCatalog) throws {
        try requireWriter()
        try requireWritable(.company, builtins: [], custom: fields, catalog: catalog)
    }

    /// Deleting contacts and companies: admins and heads of sales.
    public func requirePartyDeleter() throws {
        guard principal.deletesParties else {
            throw AppError.forbidden(
                ru: "Удалять контакты и компании могут администратор и РОП", en: "Only admins and heads of sales delete contacts and companies")
        }
    }

    /// The built-in contact fields a write sends.
    public static func contactBuiltins(_ phones: [String]?, _ emails: [String]?) -> [String] {
        (phones == nil ? [] : ["phones"]) + (emails == nil ? [] : ["emails"])
    }
}
