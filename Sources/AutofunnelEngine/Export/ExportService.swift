import AutofunnelCore
import AutofunnelStore

/// CSV exports of deals, contacts, companies and the stage log, in the columns the importer reads back unchanged.
/// Each export is an `ExportStream`: rows are read in keyset pages of `pageSize`, each page in a store read of its own
/// when the stream's reader asks for it, so memory stays that of one page whatever the number of rows.
///
/// A reader sees what the JSON API would show them: deals through `Principal.dealScope` and `sees`, fields through
/// `FieldView` — a custom field hidden from them has no column, a hidden built-in value an empty cell. A nil reader
/// is the system (the command line), which exports everything.
public struct ExportService: Sendable {
    /// Rows read per page.
    public static let defaultPageSize = 1_000

    let store: Store
    let pageSize: Int

    public init(store: Store, pageSize: Int = ExportService.defaultPageSize) {
        self.store = store
        self.pageSize = max(1, pageSize)
    }

    /// The columns of a deals file before its `field:<key>` columns.
    public static let dealColumns = [
        "id", "pipeline", "stage", "status", "title", "amount", "currency", "responsible", "head_of_sales", "contact_id", "contact_name",
        "contact_phones", "contact_emails", "company_id", "company_name", "source", "created_at", "stage_entered_at", "closed_at",
        "loss_comment", "lineage",
    ]
    /// The columns of a contacts file before its `field:<key>` columns.
    public static let contactColumns = ["id", "name", "phones", "emails", "company_id", "company_name", "created_at"]
    /// The columns of a companies file before its `field:<key>` columns.
    public static let companyColumns = ["id", "name", "created_at"]
    /// The columns of a stage-log file.
    public static let historyColumns = [
        "deal_id", "pipeline", "from_stage", "to_stage", "at", "actor_kind", "actor", "cause", "responsible", "amount", "currency",
    ]

    /// The columns of a notes file: the note's id, its deal's id, when it was written, its author's e-mail, its text.
    public static let noteColumns = ["id", "deal_id", "at", "author", "text"]
    /// The columns of a tasks file: `responsible` and `author` are e-mails, `status` is `open`, `done` or `closed`,
    /// `done_at` when it was completed or closed, `result` what the one who completed it wrote (read on import; a task
    /// completed here keeps its result as a note, so an export leaves it empty and the note is in the notes file).
    public static let taskColumns = [
        "id", "deal_id", "title", "text", "due_at", "responsible", "author", "created_at", "status", "done_at", "result",
    ]

    /// The column of a custom field.
    public static func fieldColumn(_ key: FieldKey) -> String { "field:" + key.rawValue }

    /// What the reader may see of fields: everything for the system.
    static func view(_ reader: Principal?, _ catalog: FieldCatalog) -> FieldView {
        reader.map { FieldView($0, catalog: catalog) } ?? .automation(catalog)
    }

    /// The custom fields of an entity the reader sees, in catalog order.
    static func visibleFields(_ entity: FieldEntity, _ view: FieldView) -> [FieldKey] {
        view.catalog.all(entity).map(\.key).filter { view.shows(entity, $0.rawValue) }
    }

    /// E-mails of users by id; read again by a page naming a user made since.
    static func emails(_ users: [User]) -> [UserID: String] {
        Dictionary(users.map { ($0.id, $0.email) }, uniquingKeysWith: { first, _ in first })
    }

    /// `emails`, completed from the store when a page names a user it does not know.
    static func emails(_ known: [UserID: String], covering ids: [UserID], in s: StoreSession) async throws -> [UserID: String] {
        ids.allSatisfy { known[$0] != nil } ? known : emails(try await s.users())
    }

    /// A text cell of an optional value: empty for none.
    static func cell(_ value: (some CustomStringConvertible)?) -> String { value.map(\.description) ?? "" }

    /// A moment cell, empty for none.
    static func cell(_ t: Timestamp?) -> String { t.map(ExportText.moment) ?? "" }
}
