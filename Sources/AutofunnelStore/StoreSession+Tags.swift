import AutofunnelCore
import SQLKit

/// Tags of deals, contacts and companies: a row per record and tag (`019_tags`).
extension StoreSession {
    /// The most tags `tagsInUse` lists.
    public static let tagsInUseLimit = 200

    /// The tags of one record, in the order they were added (those added at once by name).
    public func tags(_ kind: TagKind, of id: Int64) async throws -> [Tag] {
        try await tags(kind, of: [id])[id] ?? []
    }

    /// The tags of records of one kind, by record id, each in the order they were added (those added at once by name);
    /// records without tags are absent.
    public func tags(_ kind: TagKind, of ids: [Int64]) async throws -> [Int64: [Tag]] {
        guard !ids.isEmpty else { return [:] }
        var out: [Int64: [Tag]] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            let rows = try await db.select().column("record_id").column("tag_key").column("name").from("tags")
                .where("kind", .equal, kind.rawValue).where("record_id", .in, chunk)
                .orderBy("record_id").orderBy("created_at").orderBy("name").all()
            for row in rows {
                let tag = Tag(stored: try row.decode(column: "name", as: String.self), key: try row.decode(column: "tag_key", as: String.self))
                out[try row.decode(column: "record_id", as: Int64.self), default: []].append(tag)
            }
        }
        return out
    }

    /// Puts tags on a record; a tag it carries already (by key) stays as it is, so adding twice changes nothing. A tag
    /// another record of the kind carries takes that record's spelling: a tag is shown as it was first written.
    /// Returns the tags that were new to the record.
    @discardableResult
    public func addTags(_ tags: [Tag], to kind: TagKind, id: Int64, at: Timestamp) async throws -> [Tag] {
        let carried = Set(try await self.tags(kind, of: id).map(\.key))
        var added: [Tag] = []
        for tag in tags where !carried.contains(tag.key) && !added.contains(where: { $0.key == tag.key }) {
            let known = try await db.select().column("name").from("tags").where("kind", .equal, kind.rawValue)
                .where("tag_key", .equal, tag.key).limit(1).first()
            let name = try known?.decode(column: "name", as: String.self) ?? tag.name
            try await db.insert(into: "tags").columns("kind", "record_id", "tag_key", "name", "created_at")
                .values(SQLBind(kind.rawValue), SQLBind(id), SQLBind(tag.key), SQLBind(name), SQLBind(at.millis))
                .ignoringConflicts(with: ["kind", "record_id", "tag_key"]).run()
            added.append(Tag(stored: name, key: tag.key))
        }
        return added
    }

    /// Takes tags (by key) off a record; a tag it does not carry is ignored. Returns the tags that were removed.
    @discardableResult
    public func removeTags(_ keys: [String], from kind: TagKind, id: Int64) async throws -> [Tag] {
        let removed = try await tags(kind, of: id).filter { keys.contains($0.key) }
        guard !removed.isEmpty else { return [] }
        try await db.delete(from: "tags").where("kind", .equal, kind.rawValue).where("record_id", .equal, id)
            .where("tag_key", .in, removed.map(\.key)).run()
        return removed
    }

    /// Takes every tag off a record (it is being deleted).
    public func removeAllTags(_ kind: TagKind, id: Int64) async throws {
        try await db.delete(from: "tags").where("kind", .equal, kind.rawValue).where("record_id", .equal, id).run()
    }

    /// The tags records carry, with how many live records of `kinds` carry each, most used first; those whose key starts
    /// with `prefix` (folded) when given. At most `limit` (1…200). With `scope`, only the deals it lets a caller see
    /// count: a tag of none of them is not named.
    public func tagsInUse(_ kinds: [TagKind], prefix: String?, limit: Int, scope: DealScope? = nil) async throws -> [(tag: Tag, count: Int)] {
        let q = db.select().column("tag_key").column(SQLFunction("MIN", args: SQLColumn("name")), as: "name")
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("tags")
            .where("kind", .in, kinds.map(\.rawValue))
        if let scope, kinds.contains(.deal) {
            let seen = SQLSubquery.select { s in
                s.column("id").from(DealRecord.table).where("deleted_at", .is, SQLLiteral.null)
                Self.restrict(s, to: scope)
                return s
            }
            q.where { g in
                g.where("kind", .notEqual, TagKind.deal.rawValue).orWhere(SQLColumn("record_id"), .in, seen)
            }
        }
        if let prefix = prefix.map(SearchText.fold), !prefix.isEmpty {
            q.where(SQLQueryString("tag_key LIKE \(bind: Self.escapeLike(prefix) + "%") ESCAPE '!'"))
        }
        let rows = try await q.groupBy("tag_key").orderBy(SQLRaw("COUNT(*)"), SQLDirection.descending).orderBy("tag_key")
            .limit(min(max(limit, 1), Self.tagsInUseLimit)).all()
        return try rows.map { row in
            (
                Tag(stored: try row.decode(column: "name", as: String.self), key: try row.decode(column: "tag_key", as: String.self)),
                try row.decode(column: "n", as: Int.self)
            )
        }
    }

    /// The ids of the records of `kind` that carry the tag with this key: a subquery for `id IN (…)`, answered from the
    /// `tags_by_key` index.
    static func carrying(_ kind: TagKind, _ key: String) -> some SQLExpression {
        SQLSubquery.select { s in
            s.column("record_id").from("tags").where("kind", .equal, kind.rawValue).where("tag_key", .equal, key)
        }
    }
}
