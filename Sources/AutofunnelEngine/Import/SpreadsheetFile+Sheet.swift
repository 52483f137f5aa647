import Foundation

extension SpreadsheetFile {
    /// A worksheet's `<sheetData>` turned into records as the parser streams through it: each `<row>` a record on the
    /// line of its row number, each `<c>` put in its column (`r="C5"` after `A5` leaves B empty), its value as a user
    /// sees it. Rows with no text are skipped, trailing empty cells dropped.
    final class SheetReader: PartReader {
        /// What the cells refer to, read from the workbook's other parts before the sheet.
        struct Context: Sendable {
            var strings: SharedStrings
            var dateStyles: Set<Int>
            var date1904: Bool
        }

        private let context: Context
        private let rows: Channel<DelimitedFile.Record>
        private var row = 0
        private var cells: [String] = []
        private var column = -1
        private var type = ""
        private var style = 0
        private var value = ""
        private var valueBytes = 0
        private var inValue = false
        private var inInline = false
        private var inText = false
        private var phonetic = 0

        override var line: Int { row }

        init(_ context: Context, rows: Channel<DelimitedFile.Record>) {
            self.context = context
            self.rows = rows
        }

        override func start(_ name: String, _ attributes: [String: String]) {
            switch name {
            case "row":
                row = attributes["r"].flatMap { Int($0) } ?? row + 1
                cells.removeAll(keepingCapacity: true)
                column = -1
            case "c":
                column = attributes["r"].flatMap(SpreadsheetFile.column(of:)) ?? column + 1
                guard column < SpreadsheetFile.maximumColumns else {
                    return stop(Malformed(line: row, reason: "more than \(SpreadsheetFile.maximumColumns) columns"))
                }
                type = attributes["t"] ?? ""
                style = attributes["s"].flatMap { Int($0) } ?? 0
                value = ""
                valueBytes = 0
            case "v": inValue = true
            case "is": inInline = true
            case "rPh": phonetic += 1
            case "t" where inInline && phonetic == 0: inText = true
            default: break
            }
        }

        override func characters(_ text: String) {
            guard inValue || inText else { return }
            valueBytes += text.utf8.count
            guard valueBytes <= SpreadsheetFile.maximumCellBytes else {
                return stop(Malformed(line: row, reason: "a cell longer than \(SpreadsheetFile.maximumCellBytes >> 10) KiB"))
            }
            value += text
        }

        override func end(_ name: String) {
            switch name {
            case "v": inValue = false
            case "t": inText = false
            case "is": inInline = false
            case "rPh": phonetic -= 1
            case "c":
                guard let text = cellText(), !text.isEmpty else { return }
                if column < cells.count {
                    cells[column] = text
                } else {
                    cells.append(contentsOf: repeatElement("", count: column - cells.count))
                    cells.append(text)
                }
            case "row":
                guard !cells.isEmpty else { return }
                if !rows.put(DelimitedFile.Record(line: row, fields: cells)) { stop(nil) }
                cells.removeAll(keepingCapacity: true)
            default: break
            }
        }

        /// The cell's text by its type; nil when the cell is broken (and the parse stopped).
        private func cellText() -> String? {
            switch type {
            case "s":
                guard let index = Int(value.trimmingCharacters(in: .whitespacesAndNewlines)), let text = context.strings[index] else {
                    stop(Malformed(line: row, reason: "a cell refers to a shared text the file does not have (is the file damaged?)"))
                    return nil
                }
                return text
            case "inlineStr", "str", "e": return SpreadsheetFile.unescaped(value)
            case "d": return value
            case "b": return value == "1" ? "TRUE" : value == "0" ? "FALSE" : value
            default:
                guard let number = Double(value.trimmingCharacters(in: .whitespacesAndNewlines)), number.isFinite else { return value }
                if context.dateStyles.contains(style), let date = SpreadsheetFile.dateText(serial: number, date1904: context.date1904) {
                    return date
                }
                return SpreadsheetFile.numberText(number)
            }
        }
    }
}
