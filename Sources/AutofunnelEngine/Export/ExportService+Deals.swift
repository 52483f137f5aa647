import AutofunnelCore
import AutofunnelStore

extension ExportService {
    /// The deals matching `filter` that `reader` may see (nil: every deal), as a deals file: `dealColumns`, then a
    /// `field:<key>` column per custom deal field the reader sees, in catalog order.
    public func deals(_ filter: DealFilter, reader: Principal?) -> ExportStream {
        let (store, pageSize) = (self.store, self.pageSize)
        return ExportStream {
            let (catalog, scoped, users) = try await store.read { s in
                var scoped = filter
                if let reader { scoped.scope = reader.dealScope(pipelines: try await s.pipelines().map(\.key)) }
                return (try await s.fieldCatalog(), scoped, try await s.users())
            }
            let view = Self.view(reader, catalog)
            let fields = Self.visibleFields(.deal, view)
            let known = Self.emails(users)
            return ExportStream.Pager(header: Self.dealColumns + fields.map(Self.fieldColumn)) { after in
                try await store.read { s in
                    let page = try await s.deals(scoped, after: after, limit: pageSize)
                    let deals = page.items.filter { reader?.sees($0) ?? true }.map(view.deal)
                    let contacts = try await s.linkedContacts(Array(Set(deals.compactMap(\.contact))))
                    let companies = try await s.linkedCompanies(Array(Set(deals.compactMap(\.company))))
                    let emails = try await Self.emails(known, covering: deals.flatMap { [$0.responsible, $0.headOfSales].compactMap { $0 } }, in: s)
                    var lines = ""
                    for deal in deals {
                        let contact = deal.contact.flatMap { contacts[$0] }.map(view.contact)
                        lines += CSVText.line(
                            Self.dealRow(deal, contact: contact, company: deal.company.flatMap { companies[$0] }, emails: emails, fields: fields))
                    }
                    return (lines, page.nextAfter)
                }
            }
        }
    }

    /// One line of a deals file; `deal` and `contact` already as the reader may see them.
    static func dealRow(_ deal: Deal, contact: Contact?, company: Company?, emails: [UserID: String], fields: [FieldKey]) -> [String] {
        [
            deal.id.description, deal.pipeline.rawValue, deal.stage.rawValue, deal.status.rawValue, deal.title,
            deal.amount?.decimalText ?? "", deal.amount?.currency.code ?? "",
            deal.responsible.flatMap { emails[$0] } ?? "", deal.headOfSales.flatMap { emails[$0] } ?? "",
            cell(deal.contact), contact?.name ?? "", (contact?.phones ?? []).joined(separator: ExportText.listSeparator),
            (contact?.emails ?? []).joined(separator: ExportText.listSeparator),
            cell(deal.company), company?.name ?? "", deal.source ?? "",
            ExportText.moment(deal.createdAt), ExportText.moment(deal.stageEnteredAt), cell(deal.closedAt), deal.lossComment ?? "",
            deal.lineage.rawValue,
        ] + fields.map { deal.fields[$0].map(ExportText.value) ?? "" }
    }
}
