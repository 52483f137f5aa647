import AutofunnelCore
import AutofunnelStore

extension ExportService {
    /// The contacts (those whose name contains `query`, when given) as a contacts file: `contactColumns`, then a
    /// `field:<key>` column per custom contact field the reader sees. A reader without contact details gets empty
    /// phone and e-mail cells.
    public func contacts(matching query: String? = nil, reader: Principal?) -> ExportStream {
        let (store, pageSize) = (self.store, self.pageSize)
        return ExportStream {
            let view = Self.view(reader, try await store.read { s in try await s.fieldCatalog() })
            let fields = Self.visibleFields(.contact, view)
            return ExportStream.Pager(header: Self.contactColumns + fields.map(Self.fieldColumn)) { after in
                try await store.read { s in
                    let page = try await s.contacts(matching: query, after: after, limit: pageSize)
                    let companies = try await s.linkedCompanies(Array(Set(page.items.compactMap(\.company))))
                    var lines = ""
                    for contact in page.items.map(view.contact) {
                        lines += CSVText.line(
                            [
                                contact.id.description, contact.name, contact.phones.joined(separator: ExportText.listSeparator),
                                contact.emails.joined(separator: ExportText.listSeparator), Self.cell(contact.company),
                                contact.company.flatMap { companies[$0]?.name } ?? "", ExportText.moment(contact.createdAt),
                            ] + fields.map { contact.fields[$0].map(ExportText.value) ?? "" })
                    }
                    return (lines, page.nextAfter)
                }
            }
        }
    }

    /// The companies as a companies file: `companyColumns`, then a `field:<key>` column per custom company field the
    /// reader sees.
    public func companies(reader: Principal?) -> ExportStream {
        let (store, pageSize) = (self.store, self.pageSize)
        return ExportStream {
            let view = Self.view(reader, try await store.read { s in try await s.fieldCatalog() })
            let fields = Self.visibleFields(.company, view)
            return ExportStream.Pager(header: Self.companyColumns + fields.map(Self.fieldColumn)) { after in
                try await store.read { s in
                    let page = try await s.companies(after: after, limit: pageSize)
                    var lines = ""
                    for company in page.items.map(view.company) {
                        lines += CSVText.line(
                            [company.id.description, company.name, ExportText.moment(company.createdAt)]
                                + fields.map { company.fields[$0].map(ExportText.value) ?? "" })
                    }
                    return (lines, page.nextAfter)
                }
            }
        }
    }
}
