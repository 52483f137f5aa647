import AutofunnelCore
import AutofunnelStore

/// Upsert of a contact by an integrator's own id: `PUT /api/v1/contacts/by-external-id/{source}/{externalId}`.
extension PartyService {
    /// The contact `externalID` names in `source`: created when there is none (a name is then required), else
    /// changed. The same call twice changes nothing the second time (not even `updatedAt`). Returns whether it was
    /// created.
    public func upsertContact(source: String, externalID: String, _ input: ContactInput) async throws -> (contact: Contact, created: Bool) {
        try DealService.checkExternalID(source: source, externalID: externalID)
        do {
            return try await upsertContactOnce(source, externalID, input)
        } catch is ExternalIDRace {
            return try await upsertContactOnce(source, externalID, input)
        }
    }

    private func upsertContactOnce(_ source: String, _ externalID: String, _ input: ContactInput) async throws -> (contact: Contact, created: Bool) {
        let now = clock.now()
        return try await store.write { s in
            let known = try await s.localID(.contact, source: source, externalID: externalID)
            var existing: Contact?
            if let known {
                do { existing = try await s.contact(ContactID(known)) } catch StoreError.notFound { existing = nil }
            }
            if let existing {
                var changed = existing
                let problems = try await Self.apply(input, to: &changed, s)
                guard problems.isEmpty else { throw AppError.refused(problems) }
                guard changed != existing else { return (existing, false) }
                changed.updatedAt = now
                try await s.updateContact(changed)
                return (changed, false)
            }
            let contact = try await Self.saveContact(input, id: nil, s, now: now)
            if known != nil {
                try await s.relinkExternalID(.contact, source: source, externalID: externalID, localID: contact.id.rawValue)
            } else {
                try await s.linkExternalID(.contact, source: source, externalID: externalID, localID: contact.id.rawValue, at: now)
                guard try await s.localID(.contact, source: source, externalID: externalID) == contact.id.rawValue else { throw ExternalIDRace() }
            }
            return (contact, true)
        }
    }
}
