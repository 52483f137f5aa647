/// How the columns and values of an import file become our records: a YAML file the user can edit, proposed by
/// `import --propose-mapping` from the file's header (see `ImportMapping.propose`).
public struct ImportMapping: Codable, Sendable, Equatable {
    /// The system the records come from; their ids there are kept under this name (`amocrm`, `bitrix24`, `autofunnel`).
    public var source: String
    /// The pipeline of rows that name none.
    public var pipeline: String?
    /// File header → column name (`title`, `field:budget`, `ignore`, …; see `ImportColumn`).
    public var columns: [String: String]
    /// A value of the stage column (`Этап` or `Воронка / Этап`) → stage key.
    public var stages: [String: String]?
    /// A value of the pipeline column → pipeline key.
    public var pipelines: [String: String]?
    /// A value of a user column (a name as the other CRM shows it) → e-mail of our user.
    public var users: [String: String]?
    /// The order of day and month in dotted dates: `dd.MM.yyyy` (default) or `MM.dd.yyyy`. ISO 8601 is always read.
    public var dates: String?
    /// The time zone of dates written without one (default UTC).
    public var timeZone: String?
    /// The currency of amounts whose row names none (default RUB).
    public var currency: String?

    public init(
        source: String, pipeline: String? = nil, columns: [String: String], stages: [String: String]? = nil, pipelines: [String: String]? = nil,
        users: [String: String]? = nil, dates: String? = nil, timeZone: String? = nil, currency: String? = nil
    ) {
        self.source = source
        self.pipeline = pipeline
        self.columns = columns
        self.stages = stages
        self.pipelines = pipelines
        self.users = users
        self.dates = dates
        self.timeZone = timeZone
        self.currency = currency
    }

    /// The value a mapping file writes for something the user still has to fill in.
    public static let unmapped = "?"
}
