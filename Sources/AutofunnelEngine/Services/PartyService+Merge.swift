import AutofunnelCore
import AutofunnelStore

/// Merging two contacts (or two companies) into one, in one write transaction: the kept record gets the values picked,
/// every deal of the other (and so its tasks, notes and timeline) and, for a company, every contact moves to it, the
/// other is deleted, and its id answers as the kept one from then on (`StoreSession.contact(resolving:)`). The merge is
/// written on the timeline of every deal of both and in the audit log.
extension PartyService {
    /// The built-in contact fields a merge picks; every other name is a custom field's key.
    public static let contactMergeFields = ["name", "phones", "emails", "company"]

    /// The most deals of the kept record whose timeline gets the merge entry (the moved ones always do).
    static let mergeTimelineDeals = 1000

    /// Merges contact `merged` into `kept`. `picks` names whose value each field takes; a field not named keeps the
    /// kept contact's value when it has one, else takes the other's, and phones and e-mails default to both.
    public func mergeContacts(into kept: ContactID, from merged: ContactID, picks: [String: MergePick], caller: Caller?) async throws -> Contact {
        guard kept != merged else { throw Self.sameRecord }
        let now = clock.now()
        return try await store.write { s in
            let a = try await s.contact(kept, forUpdate: true)
            let b = try await s.contact(merged, forUpdate: true)
            let catalog = try await s.fieldCatalog()
            try Self.checkPicks(
                picks, builtins: Self.contactMergeFields, lists: ["phones", "emails"], custom: catalog.all(.contact).map(\.key.rawValue))
            var out = a
            func pick(_ field: String, _ keptEmpty: Bool) -> Bool { picks[field] == .merged || (picks[field] == nil && keptEmpty) }
            if pick("name", a.name.isEmpty) { out.name = b.name }
            out.phones = Self.combined(a.phones, b.phones, picks["phones"] ?? .both) { SearchText.contactKeys(phones: [$0], emails: []) }
            out.emails = Self.combined(a.emails, b.emails, picks["emails"] ?? .both) { SearchText.contactKeys(phones: [], emails: [$0]) }
            if pick("company", a.company == nil) { out.company = b.company }
            out.fields = Self.pickedFields(a.fields, b.fields, picks)
            out.updatedAt = now
            try await s.updateContact(out)
            try await Self.finishMerge(.contacts, kept: (a.id.rawValue, out.name), merged: (b.id.rawValue, b.name), s, now: now, caller: caller)
            return out
        }
    }

    /// Merges company `merged` into `kept` (`picks` as for contacts: `name` and custom field keys); its contacts move too.
    public func mergeCompanies(into kept: CompanyID, from merged: CompanyID, picks: [String: MergePick], caller: Caller?) async throws -> Company {
        guard kept != merged else { throw Self.sameRecord }
        let now = clock.now()
        return try await store.write { s in
            let a = try await s.company(kept, forUpdate: true)
            let b = try await s.company(merged, forUpdate: true)
            let catalog = try await s.fieldCatalog()
            try Self.checkPicks(picks, builtins: ["name"], lists: [], custom: catalog.all(.company).map(\.key.rawValue))
            var out = a
            if picks["name"] == .merged { out.name = b.name }
            out.fields = Self.pickedFields(a.fields, b.fields, picks)
            out.updatedAt = now
            try await s.updateCompany(out)
            try await Self.finishMerge(.companies, kept: (a.id.rawValue, out.name), merged: (b.id.rawValue, b.name), s, now: now, caller: caller)
            return out
        }
    }

    static let sameRecord = AppError.refused([
        Violation(
            rule: .invalidValue, field: "from",
            message: .init(ru: "Нельзя объединить запись с ней самой", en: "A record cannot be merged with itself"))
    ])

    static func checkPicks(_ picks: [String: MergePick], builtins: [String], lists: [String], custom: [String]) throws {
        var problems: [Violation] = []
        for (field, value) in picks.sorted(by: { $0.key < $1.key }) {
            if !builtins.contains(field) && !custom.contains(field) {
                problems.append(.init(rule: .invalidValue, field: field, message: .init(ru: "Нет такого поля", en: "No such field")))
            } else if value == .both && !lists.contains(field) {
                problems.append(
                    .init(
                        rule: .invalidValue, field: field,
                        message: .init(ru: "«both» — только для телефонов и e-mail", en: "'both' is for phones and e-mails only")))
            }
        }
        guard problems.isEmpty else { throw AppError.refused(problems) }
    }

    /// Phones or e-mails by the pick; `both` leaves out those of the merged record that match one kept (as the
    /// duplicate check compares them: «8 912…» is «+7 912…»).
    static func combined(_ kept: [String], _ merged: [String], _ pick: MergePick, keys: (String) -> [String]) -> [String] {
        switch pick {
        case .kept: return kept
        case .merged: return merged
        case .both:
            var seen = Set(kept.flatMap(keys))
            return kept
                + merged.filter { value in
                    let new = keys(value)
                    defer { seen.formUnion(new) }
                    return seen.isDisjoint(with: new)
                }
        }
    }

    /// Custom fields: the kept record's value unless the other's is picked or the kept one has none.
    static func pickedFields(_ kept: [FieldKey: JSONValue], _ merged: [FieldKey: JSONValue], _ picks: [String: MergePick]) -> [FieldKey: JSONValue] {
        var out = kept
        for (key, value) in merged where picks[key.rawValue] == .merged || (picks[key.rawValue] == nil && kept[key] == nil) { out[key] = value }
        for key in kept.keys where picks[key.rawValue] == .merged && merged[key] == nil { out[key] = nil }
        return out
    }

    /// Moves the links, deletes the merged record and writes the merge down: its id, the timelines, the audit log.
    static func finishMerge(
        _ table: PartyTable, kept: (id: Int64, name: String), merged: (id: Int64, name: String), _ s: StoreSession, now: Timestamp, caller: Caller?
    ) async throws {
        let keptDeals = try await s.dealIDs(using: table, id: kept.id, limit: mergeTimelineDeals)
        let moved = try await s.moveLinks(table, from: merged.id, to: kept.id)
        let kind: TagKind = table == .contacts ? .contact : .company
        let tags = try await s.tags(kind, of: merged.id)
        if !tags.isEmpty { try await s.addTags(tags, to: kind, id: kept.id, at: now) }
        try await s.softDelete(table, id: merged.id, at: now)
        try await s.recordMerge(table, merged: merged.id, kept: kept.id, at: now)
        let what = table == .contacts ? ("Контакт", "contact") : ("Компания", "company")
        let text = "\(what.0) \(merged.id) «\(merged.name)» объединён(а) с \(kept.id) «\(kept.name)» · \(what.1) \(merged.id) merged into \(kept.id)"
        let actor = caller.map { Actor(kind: .user, userID: $0.principal.user.id) } ?? Actor(kind: .api)
        let entries = (moved + keptDeals).map { TimelineEntry(deal: $0, at: now, kind: "merge", text: text, actor: actor) }
        try await s.appendTimeline(entries)
        try await s.appendAudit(
            AuditEntry(
                at: now, action: .recordsMerged, actor: caller?.principal.user.id, ip: caller?.ip,
                detail: "\(what.1) \(merged.id) «\(merged.name)» → \(kept.id) «\(kept.name)»; \(moved.count) deal(s) moved"))
    }
}
