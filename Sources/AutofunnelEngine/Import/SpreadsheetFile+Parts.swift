import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

extension SpreadsheetFile {
    /// What the readers of a spreadsheet's XML parts share: element names without their namespace prefix (some writers
    /// use `x:`), and a stop at the first problem that ends both the parse and the unpacking.
    class PartReader: NSObject, XMLParserDelegate {
        weak var parser: XMLParser?
        var stream: EntryStream?
        /// Why the reader stopped the parse; nil when it stopped because nobody reads on.
        private(set) var failure: Malformed?
        private(set) var stopped = false
        /// The parser found the XML not well-formed.
        private(set) var invalid = false
        /// The spreadsheet row being read, for errors (0 outside a sheet).
        var line: Int { 0 }

        func start(_ name: String, _ attributes: [String: String]) {}
        func end(_ name: String) {}
        func characters(_ text: String) {}

        /// Stops the parse and the unpacking, with `failure` or quietly.
        final func stop(_ failure: Malformed?) {
            if self.failure == nil { self.failure = failure }
            stopped = true
            parser?.abortParsing()
            stream?.stop()
        }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
            attributes attributeDict: [String: String]
        ) {
            if !stopped { start(Self.local(elementName), attributeDict) }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            if !stopped { end(Self.local(elementName)) }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !stopped { characters(string) }
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            if !stopped { characters(String(decoding: CDATABlock, as: UTF8.self)) }
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) { invalid = true }

        // Excel never declares entities; a file that does is refused rather than expanded.
        func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
            stop(Malformed(line: line, reason: "the spreadsheet declares XML entities, which Excel never writes (is the file damaged?)"))
        }

        func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) {
            stop(Malformed(line: line, reason: "the spreadsheet declares XML entities, which Excel never writes (is the file damaged?)"))
        }

        /// `x:row` → `row`, `r:id` → `id`.
        static func local(_ name: String) -> String {
            guard let colon = name.lastIndex(of: ":") else { return name }
            return String(name[name.index(after: colon)...])
        }
    }

    /// `xl/workbook.xml`: the first visible sheet's relationship id, and whether dates count from 1904.
    final class WorkbookReader: PartReader {
        private(set) var date1904 = false
        private var sheets: [(id: String, hidden: Bool)] = []
        var firstSheet: String? { (sheets.first { !$0.hidden } ?? sheets.first)?.id }

        override func start(_ name: String, _ attributes: [String: String]) {
            switch name {
            case "workbookPr":
                date1904 = ["1", "true"].contains(attributes["date1904"]?.lowercased() ?? "")
            case "sheet":
                guard let id = attributes.first(where: { Self.local($0.key) == "id" })?.value else { return }
                sheets.append((id, ["hidden", "veryHidden"].contains(attributes["state"] ?? "")))
            default: break
            }
        }
    }

    /// `xl/_rels/workbook.xml.rels`: which part each relationship id names, and of what type.
    final class RelationshipsReader: PartReader {
        private var targets: [String: (type: String, target: String)] = [:]

        override func start(_ name: String, _ attributes: [String: String]) {
            guard name == "Relationship", let id = attributes["Id"], let target = attributes["Target"] else { return }
            targets[id] = (attributes["Type"] ?? "", target)
        }

        /// The part `id` names when it is of `type` (the last word of the type's URI: `worksheet`, `styles`, …).
        func part(id: String, type: String) -> String? {
            guard let found = targets[id], found.type.hasSuffix("/" + type) else { return nil }
            return SpreadsheetFile.partPath(found.target)
        }

        /// The first part of `type`.
        func part(type: String) -> String? {
            targets.values.first { $0.type.hasSuffix("/" + type) }.map { SpreadsheetFile.partPath($0.target) }
        }
    }

    /// `xl/styles.xml`: which cell styles (indexes into `cellXfs`) show their number as a date.
    final class StylesReader: PartReader {
        private var formats: [Int: String] = [:]
        private var styleFormats: [Int] = []
        private var inFormats = false
        private var inCellStyles = false

        var dateStyles: Set<Int> {
            Set(styleFormats.indices.filter { SpreadsheetFile.isDateFormat(id: styleFormats[$0], code: formats[styleFormats[$0]]) })
        }

        override func start(_ name: String, _ attributes: [String: String]) {
            switch name {
            case "numFmts": inFormats = true
            case "numFmt" where inFormats:
                if let id = Int(attributes["numFmtId"] ?? ""), let code = attributes["formatCode"] { formats[id] = code }
            case "cellXfs": inCellStyles = true
            case "xf" where inCellStyles: styleFormats.append(Int(attributes["numFmtId"] ?? "") ?? 0)
            default: break
            }
        }

        override func end(_ name: String) {
            if name == "numFmts" { inFormats = false }
            if name == "cellXfs" { inCellStyles = false }
        }
    }

    /// `xl/sharedStrings.xml`: every `<si>`'s text, plain or in rich-text runs (`<r><t>`), without phonetic guides.
    final class SharedStringsReader: PartReader {
        private(set) var table = SharedStrings()
        private var item = ""
        private var itemBytes = 0
        private var inItem = false
        private var inText = false
        private var phonetic = 0

        override func start(_ name: String, _ attributes: [String: String]) {
            switch name {
            case "si":
                inItem = true
                item = ""
                itemBytes = 0
            case "rPh": phonetic += 1
            case "t" where inItem && phonetic == 0: inText = true
            default: break
            }
        }

        override func characters(_ text: String) {
            guard inText else { return }
            itemBytes += text.utf8.count
            guard itemBytes <= SpreadsheetFile.maximumCellBytes else {
                return stop(
                    Malformed(line: 0, reason: "a text in the spreadsheet is longer than \(SpreadsheetFile.maximumCellBytes >> 10) KiB"))
            }
            item += text
        }

        override func end(_ name: String) {
            switch name {
            case "t": inText = false
            case "rPh": phonetic -= 1
            case "si":
                table.append(SpreadsheetFile.unescaped(item))
                inItem = false
            default: break
            }
        }
    }

    /// The shared texts, kept as one run of UTF-8 and where each ends: a fraction of the memory of an array of
    /// strings when a big export has millions of short ones.
    struct SharedStrings: Sendable {
        private var bytes: [UInt8] = []
        private var ends: [UInt32] = []

        mutating func append(_ text: String) {
            bytes.append(contentsOf: text.utf8)
            ends.append(UInt32(truncatingIfNeeded: bytes.count))
        }

        subscript(index: Int) -> String? {
            guard index >= 0, index < ends.count else { return nil }
            let start = index == 0 ? 0 : Int(ends[index - 1])
            return String(decoding: bytes[start..<Int(ends[index])], as: UTF8.self)
        }
    }
}
