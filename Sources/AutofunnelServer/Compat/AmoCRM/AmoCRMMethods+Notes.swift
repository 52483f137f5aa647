import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// `/leads/notes` and `/leads/{id}/notes`: notes on deals through `DealService.addNote`, all items of a request in one
/// transaction; `GET /leads/notes` lists every visible lead's notes, page by page. Common and service notes keep their text; call notes (what telephony integrations send) become a line
/// with the direction, phone, duration and recording link.
extension AmoCRMMethods {
    /// The text a note item stands for.
    static func noteText(_ item: JSONValue) throws -> String {
        let type = item[lenient: "note_type"]?.lenientText ?? "common"
        let params = item[lenient: "params"] ?? .null
        switch type {
        case "common", "service_message", "extended_service_message":
            return try DealService.noteText(params[lenient: "text"]?.lenientText ?? "")
        case "call_in", "call_out":
            let parts = [
                type == "call_in" ? "Incoming call" : "Outgoing call", params[lenient: "phone"]?.lenientText,
                params[lenient: "duration"]?.lenientInt.map { "\($0) s" }, params[lenient: "link"]?.lenientText,
            ]
            return try DealService.noteText(parts.compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", "))
        default:
            throw AmoCRMError.invalid("Unsupported note_type \(type): common, service_message, call_in, call_out", path: "note_type")
        }
    }

    func noteCreate(_ body: JSONValue, lead pathID: Int64?) async throws -> JSONValue {
        var planned: [(String, DealID, String)] = []
        for (index, item) in try Self.items(body).enumerated() {
            let requestID = Self.requestID(item, index: index)
            try await forItem(requestID) {
                guard case .object = item else { throw AmoCRMError.invalid("Each item is an object") }
                guard let lead = try pathID ?? AmoCRMLeadMapping.integer(item, "entity_id") else {
                    throw AmoCRMError.invalid("entity_id is required", path: "entity_id")
                }
                planned.append((requestID, DealID(lead), try Self.noteText(item)))
            }
        }
        let (plan, deals, principal, now) = (planned, services.deals, self.principal, services.clock.now())
        let notes = try await store.write { s in
            var out: [(String, Note)] = []
            for (requestID, deal, text) in plan {
                let note = try await forItem(requestID) {
                    try await deals.addNote(in: s, deal: deal, text: text, actor: principal.actor, principal: principal, now: now)
                }
                out.append((requestID, note))
            }
            return out
        }
        return savedReply(
            "notes",
            notes.map { requestID, note in
                Self.savedRow(
                    note.id.rawValue, requestID: requestID, base: "\(base)/leads/\(note.deal?.rawValue ?? 0)/notes",
                    extra: ["entity_id": .number(Double(note.deal?.rawValue ?? 0))])
            })
    }

    /// The notes of a lead the caller may see, oldest first.
    func leadNotes(_ id: Int64) async throws -> JSONValue {
        let paging = try AmoCRMPaging(query)
        let notes = try await store.read { s in try await access.notes(try await s.notes(deal: DealID(id)), deal: DealID(id), in: s) }
        let rows = notes.dropFirst(paging.offset).prefix(paging.limit).map(noteRow)
        return listReply("notes", path: "/leads/\(id)/notes", items: Array(rows), paging: paging, more: notes.count > paging.offset + paging.limit)
    }

    /// `GET /leads/notes`: the notes of every lead the caller may see, by id (what a live import reads).
    /// `filter[entity_id]` (one id, a list or comma-joined) narrows them to some leads; `filter[note_type]` naming no
    /// `common` gives an empty list, as every note here is one.
    func noteList() async throws -> JSONValue {
        let paging = try AmoCRMPaging(query)
        let filter = query["filter"] ?? .null
        let types = Self.listFilter(filter[lenient: "note_type"])
        guard types.isEmpty || types.contains("common") else {
            return listReply("notes", path: "/leads/notes", items: [], paging: paging, more: false)
        }
        let deals = filter[lenient: "entity_id"].map { Self.listFilter($0).compactMap { Int64($0) }.map { DealID($0) } }
        let (access, limit, offset) = (self.access, paging.limit, paging.offset)
        let (rows, shown) = try await store.read { s in
            let rows = try await s.notes(deals: deals, offset: offset, limit: limit + 1)
            return (rows.count, try await access.visibleNotes(Array(rows.prefix(limit)), in: s))
        }
        return listReply("notes", path: "/leads/notes", items: shown.map(noteRow), paging: paging, more: rows > limit)
    }

    /// A note as amoCRM writes a `common` one.
    func noteRow(_ n: Note) -> JSONValue {
        .object([
            "id": .number(Double(n.id.rawValue)), "entity_id": .number(Double(n.deal?.rawValue ?? 0)), "created_by": Self.number(n.author),
            "updated_by": Self.number(n.author), "created_at": Self.seconds(n.createdAt), "updated_at": Self.seconds(n.createdAt),
            "responsible_user_id": Self.number(n.author), "group_id": .number(0), "note_type": .string("common"),
            "params": .object(["text": .string(n.text)]), "account_id": .number(Double(Self.accountID)),
            "_links": Self.selfLink("\(base)/leads/\(n.deal?.rawValue ?? 0)/notes/\(n.id)"),
        ])
    }
}
