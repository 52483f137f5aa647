extension CSVText {
    /// A cell of our own export as it was before `guarded`: the first `'` dropped from a cell that is one or more `'`
    /// followed by `=`, `+`, `-`, `@`, TAB or CR.
    public static func unguarded(_ cell: String) -> String {
        let bytes = cell.utf8
        guard bytes.first == UInt8(ascii: "'"), let first = bytes.first(where: { $0 != UInt8(ascii: "'") }), triggers.contains(first) else {
            return cell
        }
        return String(cell.dropFirst())
    }
}
