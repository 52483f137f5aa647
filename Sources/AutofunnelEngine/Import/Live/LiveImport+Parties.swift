import AutofunnelCore
import AutofunnelStore

extension LiveImport {
    /// Adds the contacts and companies no earlier import tied to their ids (those on no deal: the deals brought the
    /// others), each in a savepoint so that a refused one undoes only itself. Returns how many were created and why
    /// any were refused.
    func parties(_ snapshot: LiveSnapshot, source: String) async throws -> (contacts: Int, companies: Int, refused: [String]) {
        var (contacts, companies, refused) = (0, 0, [String]())
        let imports = self.imports
        for chunk in stride(from: 0, to: snapshot.companies.count, by: 500) {
            let batch = Array(snapshot.companies[chunk..<min(snapshot.companies.count, chunk + 500)])
            let outcome = try await store.write { s in
                var (made, problems) = (0, [String]())
                for c in batch where try await s.localID(.company, source: source, externalID: c.id) == nil {
                    do {
                        _ = try await s.savepoint("af_live_company") { inner in
                            try await imports.company(ImportedParty(externalID: c.id, name: c.name), source: source, at: c.createdAt, session: inner)
                        }
                        made += 1
                    } catch  where ImportService.refusesTheRow(error) {
                        problems.append("company \(c.id): \(ImportService.describe(error))")
                    }
                }
                return (made, problems)
            }
            companies += outcome.0
            refused += outcome.1
        }
        for chunk in stride(from: 0, to: snapshot.contacts.count, by: 500) {
            let batch = Array(snapshot.contacts[chunk..<min(snapshot.contacts.count, chunk + 500)])
            let outcome = try await store.write { s in
                var (made, problems) = (0, [String]())
                for c in batch where try await s.localID(.contact, source: source, externalID: c.id) == nil {
                    do {
                        _ = try await s.savepoint("af_live_contact") { inner in
                            try await imports.contact(
                                ImportedParty(externalID: c.id, name: c.name, phones: c.phones, emails: c.emails), source: source, at: c.createdAt,
                                session: inner)
                        }
                        made += 1
                    } catch  where ImportService.refusesTheRow(error) {
                        problems.append("contact \(c.id): \(ImportService.describe(error))")
                    }
                }
                return (made, problems)
            }
            contacts += outcome.0
            refused += outcome.1
        }
        return (contacts, companies, refused)
    }
}
