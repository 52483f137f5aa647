import AutofunnelCore
import AutofunnelStore

/// Tags on deals, contacts and companies, for every adapter: whoever may change a record may tag it.
public struct TagService: Sendable {
    public let store: Store
    public let clock: AppClock

    /// The most records one bulk change reaches (a list page holds at most this many).
    public static let bulkLimit = 200

    public init(store: Store, clock: AppClock) {
        self.store = store
        self.clock = clock
    }

    /// Puts the tags (as typed) on each record, in one transaction; returns each record's tags after. Refused whole
    /// when a tag is invalid, a record would carry more than `Tag.maxPerRecord`, or the caller may not change one of
    /// them (404 for a deal they may not see). A nil principal is the system itself.
    @discardableResult
    public func add(_ names: [String], to kind: TagKind, ids: [Int64], principal: Principal?) async throws -> [Int64: [Tag]] {
        let tags = try Self.parsed(names)
        let now = clock.now()
        let actor = principal?.actor
        return try await store.write { s in
            var out: [Int64: [Tag]] = [:]
            for id in try Self.bounded(ids) {
                try await Self.authorize(kind, id, principal, s)
                try await Self.add(tags, to: kind, id: id, s, now: now, actor: actor)
                out[id] = try await s.tags(kind, of: id)
            }
            return out
        }
    }

    /// Takes the tags (as typed, matched by key) off each record, in one transaction; returns each record's tags after.
    @discardableResult
    public func remove(_ names: [String], from kind: TagKind, ids: [Int64], principal: Principal?) async throws -> [Int64: [Tag]] {
        let keys = try Self.parsed(names).map(\.key)
        let now = clock.now()
        let actor = principal?.actor
        return try await store.write { s in
            var out: [Int64: [Tag]] = [:]
            for id in try Self.bounded(ids) {
                try await Self.authorize(kind, id, principal, s)
                try await Self.remove(keys, from: kind, id: id, s, now: now, actor: actor)
                out[id] = try await s.tags(kind, of: id)
            }
            return out
        }
    }

    /// Adds tags in the caller's transaction, refusing more than `Tag.maxPerRecord` on the record; adding a tag the
    /// record carries changes nothing (a rule's action applied twice, a dialect sending the list again). A deal's
    /// change goes into its timeline as `actor`'s.
    public static func add(_ tags: [Tag], to kind: TagKind, id: Int64, _ s: StoreSession, now: Timestamp, actor: Actor?) async throws {
        let before = try await s.tags(kind, of: id)
        let count = Set(before.map(\.key)).union(tags.map(\.key)).count
        if count > Tag.maxPerRecord { throw AppError.refused([Tag.tooMany(count)]) }
        try await s.addTags(tags, to: kind, id: id, at: now)
        try await recordChange(kind, id, from: before, s, now: now, actor: actor)
    }

    /// Takes the tags with these keys off a record in the caller's transaction; a deal's change goes into its timeline.
    public static func remove(_ keys: [String], from kind: TagKind, id: Int64, _ s: StoreSession, now: Timestamp, actor: Actor?) async throws {
        let before = try await s.tags(kind, of: id)
        try await s.removeTags(keys, from: kind, id: id)
        try await recordChange(kind, id, from: before, s, now: now, actor: actor)
    }

    /// Makes a record's tags exactly `tags` in the caller's transaction (a dialect's full list); a deal's change goes
    /// into its timeline.
    public static func replace(_ tags: [Tag], on kind: TagKind, id: Int64, _ s: StoreSession, now: Timestamp, actor: Actor?) async throws {
        if tags.count > Tag.maxPerRecord { throw AppError.refused([Tag.tooMany(tags.count)]) }
        let before = try await s.tags(kind, of: id)
        let keep = Set(tags.map(\.key))
        try await s.removeTags(before.map(\.key).filter { !keep.contains($0) }, from: kind, id: id)
        try await s.addTags(tags, to: kind, id: id, at: now)
        try await recordChange(kind, id, from: before, s, now: now, actor: actor)
    }

    /// A deal's timeline entry for a change of its tags (`field` `tags`, the lists before and after); nothing when the
    /// set did not change. Contacts and companies keep no timeline of their own.
    static func recordChange(_ kind: TagKind, _ id: Int64, from before: [Tag], _ s: StoreSession, now: Timestamp, actor: Actor?) async throws {
        guard kind == .deal else { return }
        let after = try await s.tags(kind, of: id)
        guard Set(after.map(\.key)) != Set(before.map(\.key)) else { return }
        func listed(_ tags: [Tag]) -> String? { tags.isEmpty ? nil : tags.map(\.name).joined(separator: ", ") }
        try await s.appendTimeline([
            TimelineEntry(deal: DealID(id), at: now, kind: "field", field: "tags", old: listed(before), new: listed(after), actor: actor)
        ])
    }

    /// The tags typed, or a 422 naming every problem.
    public static func parsed(_ names: [String]) throws -> [Tag] {
        switch Tag.parseList(names) {
        case .success(let tags):
            guard !tags.isEmpty else {
                throw AppError.refused([Violation(rule: .invalidValue, field: "tags", message: .init(ru: "Нет тегов", en: "No tags given"))])
            }
            return tags
        case .failure(let refusal): throw AppError.refused(refusal.violations)
        }
    }

    static func bounded(_ ids: [Int64]) throws -> [Int64] {
        var unique: [Int64] = []
        for id in ids where !unique.contains(id) { unique.append(id) }
        if unique.isEmpty || unique.count > bulkLimit {
            throw AppError.badRequest("Give between 1 and \(bulkLimit) records")
        }
        return unique
    }

    /// Refuses a caller who may not change the record: a deal by its pipeline access (404 when they may not see it),
    /// a contact or company by their role's write access; 404 when the record does not exist.
    static func authorize(_ kind: TagKind, _ id: Int64, _ principal: Principal?, _ s: StoreSession) async throws {
        switch kind {
        case .deal:
            let deal = try await s.deal(DealID(id), forUpdate: true)
            try DealService.authorize(deal, principal, .edit)
        case .contact:
            if let principal { try RecordAccess.requireWriter(principal) }
            _ = try await s.contact(ContactID(id), forUpdate: true)
        case .company:
            if let principal { try RecordAccess.requireWriter(principal) }
            _ = try await s.company(CompanyID(id), forUpdate: true)
        }
    }
}
