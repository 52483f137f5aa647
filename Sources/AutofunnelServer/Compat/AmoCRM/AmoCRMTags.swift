import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// amoCRM's tags on leads and contacts: `_embedded.tags` as `[{id, name, color}]` in what we write; in what a client
/// sends, `_embedded.tags` replaces the record's tags (as amoCRM does), and `tags_to_add` / `tags_to_delete` change
/// them one by one. A tag is sent by `name`, or by the `id` we wrote for it (a stable number of its folded name).
enum AmoCRMTags {
    /// What one item asks of its record's tags.
    struct Change: Sendable {
        var replace: [JSONValue]?
        var add: [JSONValue] = []
        var delete: [JSONValue] = []
        var isEmpty: Bool { replace == nil && add.isEmpty && delete.isEmpty }
    }

    /// The id a client sees for a tag: the same for every spelling of it, on every instance.
    static func id(_ tag: Tag) -> Int64 { StableID.of(tag.key, modulo: 2_000_000_000) }

    /// The tags as amoCRM writes them.
    static func embedded(_ tags: [Tag]) -> JSONValue { .array(tags.map(row)) }

    /// One tag as amoCRM writes it.
    static func row(_ tag: Tag) -> JSONValue { .object(["id": .number(Double(id(tag))), "name": .string(tag.name), "color": .null]) }

    /// The change an item of a create or update asks for.
    static func sent(_ item: JSONValue) -> Change {
        var change = Change()
        change.replace = item[lenient: "_embedded"]?[lenient: "tags"]?.lenientItems
        change.add = item[lenient: "tags_to_add"]?.lenientItems ?? []
        change.delete = item[lenient: "tags_to_delete"]?.lenientItems ?? []
        return change
    }

    /// Applies the change to a record in the caller's transaction as `actor` (the caller has checked it may change the
    /// record).
    static func apply(_ change: Change, kind: TagKind, id: Int64, _ s: StoreSession, now: Timestamp, actor: Actor) async throws {
        guard !change.isEmpty else { return }
        let known = try await s.tagsInUse([kind], prefix: nil, limit: StoreSession.tagsInUseLimit).map(\.tag)
        if let replace = change.replace {
            try await TagService.replace(try tags(replace, known: known, path: "_embedded.tags"), on: kind, id: id, s, now: now, actor: actor)
        }
        if !change.add.isEmpty {
            try await TagService.add(try tags(change.add, known: known, path: "tags_to_add"), to: kind, id: id, s, now: now, actor: actor)
        }
        if !change.delete.isEmpty {
            let keys = try tags(change.delete, known: known, path: "tags_to_delete").map(\.key)
            try await TagService.remove(keys, from: kind, id: id, s, now: now, actor: actor)
        }
    }

    /// The tags items name (`name`, else `id` among `known`); a 400 for an item with neither or an unknown id.
    static func tags(_ items: [JSONValue], known: [Tag], path: String) throws -> [Tag] {
        var out: [Tag] = []
        for (index, item) in items.enumerated() {
            if let name = item[lenient: "name"]?.lenientText {
                switch Tag.parse(name) {
                case .success(let tag): out.append(tag)
                case .failure(let v): throw AmoCRMError.invalid(v.message.en, path: "\(path)[\(index)].name")
                }
            } else if let number = item[lenient: "id"]?.lenientInt, let tag = known.first(where: { id($0) == number }) {
                out.append(tag)
            } else {
                throw AmoCRMError.invalid("A tag is {name} or the {id} of a tag in use", path: "\(path)[\(index)]")
            }
        }
        if out.count > Tag.maxPerRecord { throw AppError.refused([Tag.tooMany(out.count)]) }
        return out
    }
}

extension AmoCRMMethods {
    /// `GET /leads/tags`, `GET /contacts/tags`: the tags in use on that kind of record, by name (`query` starts them).
    func tagList(_ kind: TagKind, plural: String) async throws -> JSONValue {
        let paging = try AmoCRMPaging(query)
        let prefix = query["query"]?.lenientText.map { String($0.prefix(Tag.maxLength)) }
        let principal = self.principal
        let used = try await store.read { s in
            let scope = principal.dealScope(pipelines: try await s.pipelines().map(\.key))
            return try await s.tagsInUse([kind], prefix: prefix, limit: StoreSession.tagsInUseLimit, scope: scope)
        }
        let page = used.dropFirst(paging.offset).prefix(paging.limit).map { AmoCRMTags.row($0.tag) }
        return listReply("tags", path: "/\(plural)/tags", items: Array(page), paging: paging, more: used.count > paging.offset + paging.limit)
    }
}
