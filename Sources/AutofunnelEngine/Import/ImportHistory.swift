import AutofunnelCore
import Foundation

/// A stage-log file read into the moves of each deal, by the deal's id in the source, in the order they happened.
/// Columns by name: `deal_id`, `to_stage`, `at` are needed; `from_stage` (empty for the row that created the deal),
/// `actor` (a user's e-mail), `responsible` and `amount`/`currency` are read when present.
struct ImportHistory: Sendable {
    var moves: [String: [ImportedMove]]
    var refused: [ImportProblem]

    static func read(_ url: URL, mapping: ImportMapping, pipelines: [Pipeline], users: [User]) throws -> ImportHistory {
        let file = try ImportTables.open(url)
        guard let header = try file.next()?.fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) else {
            throw ImportProblem(row: 1, "The history file is empty: no header row")
        }
        func index(_ name: String) -> Int? { header.firstIndex(of: name) }
        guard let dealColumn = index("deal_id"), let toColumn = index("to_stage"), let atColumn = index("at") else {
            throw ImportProblem(row: 1, "The history file needs the columns deal_id, to_stage and at")
        }
        let (fromColumn, byColumn, responsibleColumn) = (index("from_stage"), index("actor"), index("responsible"))
        let (amountColumn, currencyColumn, causeColumn) = (index("amount"), index("currency"), index("cause"))
        let emails = Dictionary(users.map { ($0.email.lowercased(), $0.id) }, uniquingKeysWith: { a, _ in a })
        let dates = ImportDates(dayFirst: mapping.dates != "MM.dd.yyyy", zone: ImportDates.zone(named: mapping.timeZone ?? "UTC") ?? .gmt)
        var history = ImportHistory(moves: [:], refused: [])
        while let record = try file.next() {
            func cell(_ i: Int?) -> String? {
                guard let i, i < record.fields.count else { return nil }
                let v = record.fields[i].trimmingWhitespace
                return v.isEmpty ? nil : v
            }
            guard let deal = cell(dealColumn), let to = cell(toColumn), let atText = cell(atColumn), let at = dates.parse(atText) else {
                history.refused.append(
                    ImportProblem(row: record.line, column: "history file", "A history row needs deal_id, to_stage and a moment in at"))
                continue
            }
            var amount: Money?
            if let text = cell(amountColumn), let code = CurrencyCode(cell(currencyColumn) ?? mapping.currency ?? "RUB") {
                amount = try? Money.parse(ImportRowReader.decimal(text), currency: code).get()
            }
            let move = ImportedMove(
                row: record.line, dealExternalID: deal, from: cell(fromColumn).map { StageKey($0) }, to: StageKey(to), at: at,
                by: cell(byColumn).flatMap { emails[$0.lowercased()] }, responsible: cell(responsibleColumn).flatMap { emails[$0.lowercased()] },
                amount: amount, cause: cell(causeColumn).map { String($0.prefix(200)) })
            history.moves[deal, default: []].append(move)
        }
        for key in history.moves.keys { history.moves[key]?.sort { ($0.at, $0.row) < ($1.at, $1.row) } }
        return history
    }
}
