import AutofunnelCore

/// What an upload would import, written nowhere: its header, the mapping and the first rows as they map.
public struct ImportPreview: Sendable {
    /// One row of the file: the deal it maps to, or why it would be refused.
    public struct Row: Sendable {
        public var row: Int
        public var deal: ImportedDeal?
        /// The e-mail of the deal's responsible.
        public var responsible: String?
        public var problems: [ImportProblem]
    }

    public var fileName: String
    /// What the file was read as (`UTF-8`, `Windows-1251`, `XLSX`, …).
    public var format: String
    public var header: [String]
    public var mapping: ImportMapping
    /// The mapping as YAML.
    public var mappingText: String
    /// Columns the mapping leaves unmapped; a real run needs each mapped or ignored.
    public var unmappedColumns: [String]
    public var rows: [Row]
}
