import AutofunnelCore
import AutofunnelStore

extension ExportService {
    /// The stage log (of one pipeline, when given) in log order, one line per row: `historyColumns`. Only rows of deals
    /// that are in a deals file too — live deals the reader sees — so every `deal_id` names a deal the importer has; a
    /// deleted deal's rows stay in the store for the reports. `actor` is the e-mail of the user behind the change
    /// (a person or their API token), empty for automation and imports; `responsible` and `amount` are the deal's as it entered
    /// the stage, which the manager and revenue reports read.
    public func history(pipeline: PipelineKey?, reader: Principal?) -> ExportStream {
        let (store, pageSize) = (self.store, self.pageSize)
        return ExportStream {
            let known = Self.emails(try await store.read { s in try await s.users() })
            return ExportStream.Pager(header: Self.historyColumns) { after in
                try await store.read { s in
                    let page = try await s.stageLog(pipeline: pipeline, after: after, limit: pageSize)
                    let deals = try await s.deals(ids: Array(Set(page.items.map(\.deal))))
                    let rows = page.items.filter { row in deals[row.deal].map { reader?.sees($0) ?? true } ?? false }
                    let emails = try await Self.emails(known, covering: rows.flatMap { [$0.actor.userID, $0.responsible].compactMap { $0 } }, in: s)
                    var lines = ""
                    for row in rows {
                        lines += CSVText.line([
                            row.deal.description, row.pipeline.rawValue, row.from?.rawValue ?? "", row.to.rawValue, ExportText.moment(row.at),
                            row.actor.kind.rawValue, row.actor.userID.flatMap { emails[$0] } ?? "", row.cause,
                            row.responsible.flatMap { emails[$0] } ?? "", row.amount?.decimalText ?? "", row.amount?.currency.code ?? "",
                        ])
                    }
                    return (lines, page.nextAfter)
                }
            }
        }
    }
}
