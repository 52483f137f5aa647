import Foundation

/// Reads rows of an import file into `ImportedDeal`s: each column by its mapping, stages, pipelines and users resolved
/// to ours, amounts and moments checked. Every problem of a row is reported with the row and column, none thrown.
public struct ImportRowReader: Sendable {
    public let header: [String]
    public let mapping: ImportMapping
    let columns: [ImportColumn?]
    let pipelines: [Pipeline]
    let users: [User]
    let dates: ImportDates
    let currency: CurrencyCode
    let defaultPipeline: Pipeline?
    /// Moments of rows that give none (a file without a creation date).
    let now: Timestamp

    /// A reader for files with `header`; a mapping that names an unknown column, zone, currency or pipeline is refused.
    public init(header: [String], mapping: ImportMapping, pipelines: [Pipeline], users: [User], now: Timestamp) throws(ImportProblem) {
        self.header = header
        self.mapping = mapping
        self.pipelines = pipelines
        self.users = users
        self.now = now
        var columns: [ImportColumn?] = []
        for name in header {
            guard let target = mapping.columns[name] ?? mapping.columns[name.trimmingCharacters(in: .whitespaces)] else {
                columns.append(nil)
                continue
            }
            if target == ImportMapping.unmapped {
                columns.append(nil)
            } else if let column = ImportColumn(name: target) {
                columns.append(column)
            } else {
                throw ImportProblem(row: 1, column: name, "The mapping names no column '\(target)' for '\(name)'")
            }
        }
        self.columns = columns
        guard let zone = ImportDates.zone(named: mapping.timeZone ?? "UTC") else {
            throw ImportProblem(row: 1, "The mapping's time zone '\(mapping.timeZone ?? "")' is unknown")
        }
        if let order = mapping.dates, order != "dd.MM.yyyy", order != "MM.dd.yyyy" {
            throw ImportProblem(row: 1, "The mapping's dates are dd.MM.yyyy or MM.dd.yyyy, not '\(order)'")
        }
        dates = ImportDates(dayFirst: mapping.dates != "MM.dd.yyyy", zone: zone)
        guard let currency = CurrencyCode(mapping.currency ?? "RUB") else {
            throw ImportProblem(row: 1, "The mapping's currency '\(mapping.currency ?? "")' is no ISO 4217 code")
        }
        self.currency = currency
        if let key = mapping.pipeline {
            guard let p = pipelines.first(where: { $0.key.rawValue == key }) else { throw ImportProblem(row: 1, "No pipeline '\(key)'") }
            defaultPipeline = p
        } else {
            defaultPipeline = pipelines.count == 1 ? pipelines.first : nil
        }
    }

    /// The file's columns no mapping entry covers (left `?` or absent): a real run needs each mapped or ignored.
    public var unmappedColumns: [String] { zip(header, columns).filter { !$0.0.isEmpty && $0.1 == nil }.map(\.0) }

    /// The deal on row `row`, or every problem it has.
    public func deal(_ cells: [String], row: Int) -> Result<ImportedDeal, ImportProblems> {
        var problems: [ImportProblem] = []
        var values: [ImportColumn: String] = [:]
        var gathered: [ImportColumn: [String]] = [:]
        var columnName: [ImportColumn: String] = [:]
        for (index, column) in columns.enumerated() {
            guard let column, column != .ignore else { continue }
            let value = index < cells.count ? cells[index].trimmingWhitespace : ""
            columnName[column] = header[index]
            if column.gathers {
                gathered[column, default: []] += value.split(whereSeparator: { $0 == ";" || $0 == "," }).map {
                    String($0).trimmingWhitespace
                }.filter { !$0.isEmpty }
            } else if !value.isEmpty {
                values[column] = value
            }
        }
        func problem(_ column: ImportColumn?, _ message: String, unmapped: Bool = false) {
            problems.append(ImportProblem(row: row, column: column.flatMap { columnName[$0] }, message, unmapped: unmapped))
        }
        func moment(_ column: ImportColumn) -> Timestamp? {
            guard let text = values[column], text.lowercased() != "не закрыта" else { return nil }
            guard let t = dates.parse(text) else {
                problem(column, "'\(text)' is no date in a known form (ISO 8601, \(dates.dayFirst ? "dd.MM.yyyy" : "MM.dd.yyyy") [HH:mm[:ss]])")
                return nil
            }
            return t
        }
        let externalID = values[.id] ?? "row-\(row)"
        let pipeline = resolvePipeline(values[.pipeline], problem: { problem(.pipeline, $0, unmapped: true) })
        var stage: Stage? = pipeline?.firstStage
        if let pipeline, let text = values[.stage] {
            stage = resolveStage(text, in: pipeline)
            if stage == nil { problem(.stage, "No stage '\(text)' in pipeline '\(pipeline.key)'; map it under stages:", unmapped: true) }
        }
        var amount: Money?
        if let text = values[.amount] {
            let code = values[.currency].map { CurrencyCode($0.uppercased()) } ?? currency
            if let code {
                switch Money.parse(Self.decimal(text), currency: code) {
                case .success(let m): amount = m
                case .failure: problem(.amount, "'\(text)' is no amount (at most \(Money.maximumWholeDigits) whole digits)")
                }
            } else {
                problem(.currency, "'\(values[.currency] ?? "")' is no ISO 4217 currency")
            }
        }
        let responsible = values[.responsible].flatMap { resolveUser($0, problem: { problem(.responsible, $0, unmapped: true) }) }
        let head = values[.headOfSales].flatMap { resolveUser($0, problem: { problem(.headOfSales, $0, unmapped: true) }) }
        let createdAt = moment(.createdAt) ?? now
        let (entered, closed) = (moment(.stageEnteredAt), moment(.closedAt))
        var contact: ImportedParty?
        let phones = gathered[.contactPhones] ?? []
        let emails = gathered[.contactEmails] ?? []
        if values[.contactName] != nil || values[.contactID] != nil || !phones.isEmpty || !emails.isEmpty {
            let name = values[.contactName] ?? phones.first ?? emails.first ?? "#\(values[.contactID] ?? "")"
            contact = ImportedParty(externalID: values[.contactID], name: name, phones: phones, emails: emails)
        }
        var company: ImportedParty?
        if values[.companyName] != nil || values[.companyID] != nil {
            company = ImportedParty(externalID: values[.companyID], name: values[.companyName] ?? "#\(values[.companyID] ?? "")")
        }
        var fields: [String: JSONValue] = [:]
        for case .field(let key) in columns { if let v = values[.field(key)] { fields[key] = .string(v) } }
        guard problems.isEmpty, let pipeline, let stage else {
            if problems.isEmpty { problem(.pipeline, "No pipeline for the row: name one under pipeline:", unmapped: true) }
            return .failure(ImportProblems(problems))
        }
        var deal = ImportedDeal(
            row: row, externalID: externalID, pipeline: pipeline.key, stage: stage.key, title: values[.title] ?? "#\(externalID)",
            amount: amount, responsible: responsible, headOfSales: head, contact: contact, company: company, source: values[.source],
            createdAt: createdAt, stageEnteredAt: entered, closedAt: closed, lossComment: values[.lossComment], lineage: values[.lineage],
            fields: fields)
        if let cell = values[.tags] { deal.tags = Self.tags(cell) }
        return .success(deal)
    }

    /// `150 000,50` and `150000.50` as `150000.50`: spaces (also no-break ones) dropped, a lone comma is the decimal mark.
    public static func decimal(_ text: String) -> String {
        // Most amounts are plain already; this check is a tenth of the cost of looking at them as `Character`s.
        if text.utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) { return text }
        let digits = text.filter { !$0.isWhitespace && $0 != "\u{00A0}" && $0 != "\u{202F}" }
        return digits.contains(".") ? digits.replacingOccurrences(of: ",", with: "") : digits.replacingOccurrences(of: ",", with: ".")
    }

    func resolvePipeline(_ text: String?, problem: (String) -> Void) -> Pipeline? {
        guard let text else {
            if defaultPipeline == nil { problem("The row names no pipeline and the mapping gives none (pipeline:)") }
            return defaultPipeline
        }
        let key = mapping.pipelines?[text] ?? text
        if let p = pipelines.first(where: { $0.key.rawValue == key }) { return p }
        if let p = pipelines.first(where: { $0.name.ru.lowercased() == key.lowercased() || $0.name.en.lowercased() == key.lowercased() }) {
            return p
        }
        problem("No pipeline '\(text)'; map it under pipelines:")
        return nil
    }

    func resolveStage(_ text: String, in pipeline: Pipeline) -> Stage? {
        let stages = mapping.stages ?? [:]
        let mapped = stages["\(pipeline.name.ru) / \(text)"] ?? stages["\(pipeline.key) / \(text)"] ?? stages[text] ?? text
        if let s = pipeline.stage(StageKey(mapped)) { return s }
        let lower = mapped.lowercased()
        return pipeline.stages.first { $0.name.ru.lowercased() == lower || $0.name.en.lowercased() == lower }
    }

    func resolveUser(_ text: String, problem: (String) -> Void) -> UserID? {
        let email = (mapping.users?[text] ?? text).lowercased()
        if let u = users.first(where: { $0.email.lowercased() == email }) { return u.id }
        let named = users.filter { $0.name.lowercased() == text.lowercased() }
        if named.count == 1 { return named[0].id }
        problem("No user '\(text)'; map the name to an e-mail under users:")
        return nil
    }

    /// The valid tags of a comma-separated cell, without repeats, at most `Tag.maxPerRecord`: a tag the source allowed
    /// and we do not (too long) is left out rather than refusing the deal.
    static func tags(_ cell: String) -> [Tag] {
        var out: [Tag] = []
        for part in cell.split(separator: ",") {
            guard case .success(let tag) = Tag.parse(String(part)), !out.contains(where: { $0.key == tag.key }) else { continue }
            out.append(tag)
            if out.count == Tag.maxPerRecord { break }
        }
        return out
    }
}

/// Every problem of one row.
public struct ImportProblems: Error, Sendable, Equatable {
    public var all: [ImportProblem]
    public init(_ all: [ImportProblem]) { self.all = all }
}
