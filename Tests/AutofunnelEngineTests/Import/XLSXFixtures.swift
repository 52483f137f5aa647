import Foundation
import Testing
import ZIPFoundation

/// XLSX files for tests, written as Excel writes them: the parts' XML as Excel has it, deflated into a ZIP archive by
/// ZIPFoundation.
enum XLSX {
    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    static let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

    /// Writes `parts` (path → XML) into the archive `name`.
    static func write(_ files: ImportFiles, _ name: String, _ parts: [String: String]) throws -> URL {
        let url = files.folder.appendingPathComponent(name)
        let archive = try Archive(url: url, accessMode: .create)
        for (path, text) in parts.sorted(by: { $0.key < $1.key }) {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return url
    }

    /// The parts of a workbook of one sheet whose `<sheetData>` holds `sheet`; `strings` are the shared texts, each an
    /// item's inner XML when it starts with `<`.
    static func workbook(sheet: String, strings: [String] = [], date1904: Bool = false) -> [String: String] {
        let items = strings.map { $0.hasPrefix("<") ? "<si>\($0)</si>" : "<si><t>\(escaped($0))</t></si>" }
        return [
            "[Content_Types].xml": declaration
                + """
                <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
                <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
                <Default Extension="xml" ContentType="application/xml"/>\
                <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
                <Override PartName="/xl/worksheets/sheet1.xml" \
                ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>
                """,
            "_rels/.rels": declaration
                + """
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
                <Relationship Id="rId1" Type="\(relationships)/officeDocument" Target="xl/workbook.xml"/></Relationships>
                """,
            "xl/workbook.xml": workbookXML(sheets: [("Лист1", "rId1")], date1904: date1904),
            "xl/_rels/workbook.xml.rels": relationshipsXML(),
            "xl/styles.xml": styles,
            "xl/sharedStrings.xml": declaration
                + "<sst xmlns=\"\(main)\" count=\"\(items.count)\" uniqueCount=\"\(items.count)\">\(items.joined())</sst>",
            "xl/worksheets/sheet1.xml": declaration
                + """
                <worksheet xmlns="\(main)" xmlns:r="\(relationships)"><dimension ref="A1:H6"/>\
                <sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>\
                <sheetData>\(sheet)</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>\
                </worksheet>
                """,
        ]
    }

    static func workbookXML(sheets: [(name: String, id: String)], date1904: Bool) -> String {
        let list = sheets.enumerated().map { "<sheet name=\"\($1.name)\" sheetId=\"\($0 + 1)\" r:id=\"\($1.id)\"/>" }
        return declaration
            + """
            <workbook xmlns="\(main)" xmlns:r="\(relationships)"><fileVersion appName="xl" lastEdited="7" rupBuild="27425"/>\
            <workbookPr \(date1904 ? "date1904=\"1\" " : "")defaultThemeVersion="166925"/>\
            <bookViews><workbookView xWindow="0" yWindow="0" windowWidth="28800" windowHeight="12300"/></bookViews>\
            <sheets>\(list.joined())</sheets><calcPr calcId="191029"/></workbook>
            """
    }

    static func relationshipsXML(extra: [(id: String, target: String)] = []) -> String {
        let sheets = ([("rId1", "worksheets/sheet1.xml")] + extra).map {
            "<Relationship Id=\"\($0.0)\" Type=\"\(relationships)/worksheet\" Target=\"\($0.1)\"/>"
        }
        return declaration
            + """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\(sheets.joined())\
            <Relationship Id="rId2" Type="\(relationships)/theme" Target="theme/theme1.xml"/>\
            <Relationship Id="rId3" Type="\(relationships)/styles" Target="styles.xml"/>\
            <Relationship Id="rId4" Type="\(relationships)/sharedStrings" Target="sharedStrings.xml"/></Relationships>
            """
    }

    /// Cell styles: 0 General, 1 a date (numFmtId 14), 2 a custom `dd.mm.yyyy hh:mm`, 3 wrapped text, 4 `#,##0.00`.
    /// The cell-style formats before them are not cell styles: counting them would shift every index.
    static let styles =
        declaration
            + """
            <styleSheet xmlns="\(main)"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd.mm.yyyy hh:mm"/></numFmts>\
            <fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>\
            <fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>\
            <cellStyleXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0"/>\
            </cellStyleXfs><cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
            <xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
            <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
            <xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment wrapText="1"/></xf>\
            <xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
            <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
            """

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// Rewrites the unpacked size the central directory declares for `path`, as a zip bomb or a damaged file would.
    static func declare(_ url: URL, path: String, size: UInt32) throws {
        var bytes = [UInt8](try Data(contentsOf: url))
        let name = Array(path.utf8)
        var i = 0
        while i + 46 + name.count <= bytes.count {
            if bytes[i..<(i + 4)].elementsEqual([0x50, 0x4B, 0x01, 0x02]), Int(bytes[i + 28]) | Int(bytes[i + 29]) << 8 == name.count,
                bytes[(i + 46)..<(i + 46 + name.count)].elementsEqual(name)
            {
                for k in 0..<4 { bytes[i + 24 + k] = UInt8(truncatingIfNeeded: size >> (8 * UInt32(k))) }
                try Data(bytes).write(to: url)
                return
            }
            i += 1
        }
        Issue.record("no central directory entry for \(path)")
    }
}
