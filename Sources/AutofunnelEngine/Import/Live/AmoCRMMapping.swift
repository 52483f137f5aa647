import AutofunnelCore
import Foundation

/// amoCRM v4's JSON (`IMPORT.md` §3) as `LiveSnapshot` records. Statuses 142 and 143 are won and lost in every
/// pipeline; each loss reason becomes a lost status of its own (`143/<reason id>`), as Autofunnel's lost stages are
/// its loss reasons, and a lead lost with a reason is in that status. Every number is read within JSON's exact
/// integers (`lenientInt`) and every moment through `Timestamp(checkedSeconds:)`: a value out of range is skipped,
/// never trusted.
public enum AmoCRMMapping {
    /// amoCRM's "closed – won" and "closed – lost" statuses.
    public static let won = "142"
    public static let lost = "143"

    /// The pipelines of `GET /api/v4/leads/pipelines`, with a lost status per loss reason of
    /// `GET /api/v4/leads/loss_reasons`.
    public static func pipelines(_ page: JSONValue, lossReasons: JSONValue?) -> [RemotePipeline] {
        let reasons = (lossReasons?[lenient: "_embedded"]?[lenient: "loss_reasons"]?.lenientItems ?? []).compactMap { r -> RemoteStatus? in
            guard let id = id(r[lenient: "id"]), let name = text(r[lenient: "name"]) else { return nil }
            return RemoteStatus(id: lost + "/" + id, name: name, outcome: .lost)
        }
        return (page[lenient: "_embedded"]?[lenient: "pipelines"]?.lenientItems ?? []).compactMap { p in
            guard let pid = id(p[lenient: "id"]) else { return nil }
            let raw = p[lenient: "_embedded"]?[lenient: "statuses"]?.lenientItems ?? []
            let sorted = raw.enumerated().sorted { a, b in
                (a.element[lenient: "sort"]?.lenientInt ?? 0, a.offset) < (b.element[lenient: "sort"]?.lenientInt ?? 0, b.offset)
            }
            var statuses: [RemoteStatus] = sorted.compactMap { _, s in
                guard let sid = id(s[lenient: "id"]) else { return nil }
                let outcome: Stage.Outcome? = sid == won ? .won : sid == lost ? .lost : nil
                return RemoteStatus(id: sid, name: text(s[lenient: "name"]) ?? "s" + sid, outcome: outcome)
            }
            statuses += reasons
            return RemotePipeline(id: pid, name: text(p[lenient: "name"]) ?? "p" + pid, statuses: statuses)
        }
    }

    /// E-mail by user id, from `GET /api/v4/users` pages.
    public static func users(_ items: [JSONValue]) -> [String: String] {
        var out: [String: String] = [:]
        for u in items {
            if let uid = id(u[lenient: "id"]), let email = text(u[lenient: "email"]) { out[uid] = email }
        }
        return out
    }

    /// Leads of `GET /api/v4/leads?with=contacts,loss_reason` pages.
    public static func leads(_ items: [JSONValue]) -> [RemoteDeal] {
        items.compactMap { l in
            guard let lid = id(l[lenient: "id"]), let pipeline = id(l[lenient: "pipeline_id"]), var status = id(l[lenient: "status_id"]) else {
                return nil
            }
            if l[lenient: "is_deleted"]?.lenientFlag == true { return nil }
            let embedded = l[lenient: "_embedded"] ?? .null
            let reason = id(l[lenient: "loss_reason_id"]) ?? (embedded[lenient: "loss_reason"]?.lenientItems.first).flatMap { id($0[lenient: "id"]) }
            if status == lost, let reason { status = lost + "/" + reason }
            let contacts = embedded[lenient: "contacts"]?.lenientItems ?? []
            let main = contacts.first { $0[lenient: "is_main"]?.lenientFlag == true } ?? contacts.first
            let price = l[lenient: "price"]?.lenientInt.flatMap { $0 > 0 ? String($0) : nil }
            return RemoteDeal(
                id: lid, pipeline: pipeline, status: status, title: text(l[lenient: "name"]) ?? "", amount: price,
                currency: price == nil ? nil : "RUB",
                responsible: id(l[lenient: "responsible_user_id"]), contact: main.flatMap { id($0[lenient: "id"]) },
                company: (embedded[lenient: "companies"]?.lenientItems.first).flatMap { id($0[lenient: "id"]) },
                createdAt: moment(l[lenient: "created_at"]) ?? Timestamp(millis: 0),
                closedAt: status.hasPrefix(won) || status.hasPrefix(lost) ? moment(l[lenient: "closed_at"]) : nil)
        }
    }

    /// Contacts of `GET /api/v4/contacts` pages; phones and e-mails from the `PHONE` and `EMAIL` fields.
    public static func contacts(_ items: [JSONValue]) -> [RemoteParty] {
        items.compactMap { c in
            guard let cid = id(c[lenient: "id"]) else { return nil }
            var phones: [String] = []
            var emails: [String] = []
            for field in c[lenient: "custom_fields_values"]?.lenientItems ?? [] {
                let values = (field[lenient: "values"]?.lenientItems ?? []).compactMap { text($0[lenient: "value"]) }
                switch field[lenient: "field_code"]?.lenientText?.uppercased() {
                case "PHONE": phones += values
                case "EMAIL": emails += values
                default: break
                }
            }
            let name = text(c[lenient: "name"]) ?? phones.first ?? emails.first ?? "#" + cid
            return RemoteParty(
                id: cid, name: name, phones: phones, emails: emails,
                company: (c[lenient: "_embedded"]?[lenient: "companies"]?.lenientItems.first).flatMap { id($0[lenient: "id"]) },
                createdAt: moment(c[lenient: "created_at"]) ?? Timestamp(millis: 0))
        }
    }

    /// Companies of `GET /api/v4/companies` pages.
    public static func companies(_ items: [JSONValue]) -> [RemoteParty] {
        items.compactMap { c in
            guard let cid = id(c[lenient: "id"]) else { return nil }
            return RemoteParty(
                id: cid, name: text(c[lenient: "name"]) ?? "#" + cid, createdAt: moment(c[lenient: "created_at"]) ?? Timestamp(millis: 0))
        }
    }

    /// The stage changes of `lead_status_changed` events. A move to 143 is a move to the lead's loss reason when the
    /// lead is lost in that pipeline now (events do not say the reason).
    public static func moves(_ events: [JSONValue], leads: [RemoteDeal]) -> [RemoteMove] {
        let current = Dictionary(leads.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        func status(_ v: JSONValue?) -> (pipeline: String, status: String)? {
            guard let s = v?.lenientItems.first?[lenient: "lead_status"], let sid = id(s[lenient: "id"]), let pid = id(s[lenient: "pipeline_id"])
            else {
                return nil
            }
            return (pid, sid)
        }
        var out: [RemoteMove] = []
        for e in events where (e[lenient: "type"]?.lenientText ?? "lead_status_changed") == "lead_status_changed" {
            guard let lead = id(e[lenient: "entity_id"]), let after = status(e[lenient: "value_after"]), let at = moment(e[lenient: "created_at"])
            else {
                continue
            }
            let before = status(e[lenient: "value_before"])
            func resolved(_ s: String, _ p: String) -> String {
                guard s == lost, let deal = current[lead], deal.pipeline == p, deal.status.hasPrefix(lost + "/") else { return s }
                return deal.status
            }
            let by = id(e[lenient: "created_by"])
            out.append(
                RemoteMove(
                    deal: lead, pipeline: after.pipeline, from: before.map { resolved($0.status, $0.pipeline) } ?? nil,
                    to: resolved(after.status, after.pipeline), at: at, by: by))
        }
        // A move whose "before" is missing is still a move, not the creation: its origin is unknown, not empty.
        return out.map { m in
            var m = m
            if m.from == nil { m.from = "" }
            return m
        }
    }

    /// The notes of `GET /api/v4/leads/notes` pages that the import brings: `common` notes (also the old numeric type
    /// 4) with their text, and calls (`call_in`, `call_out`) as a line with the phone, duration and recording link, as
    /// our dialect keeps them. Other types (service messages, attachments, SMS, …) are counted as skipped.
    public static func notes(_ items: [JSONValue]) -> (notes: [RemoteNote], skipped: Int) {
        var (out, skipped) = ([RemoteNote](), 0)
        for n in items {
            guard let nid = id(n[lenient: "id"]), let lead = id(n[lenient: "entity_id"]), let at = moment(n[lenient: "created_at"]) else {
                skipped += 1
                continue
            }
            let params = n[lenient: "params"] ?? .null
            let type = n[lenient: "note_type"]?.lenientText ?? "common"
            let body: String?
            switch type {
            case "common", "4": body = long(params[lenient: "text"])
            case "call_in", "call_out", "10", "11":
                let parts = [
                    type == "call_in" || type == "10" ? "Incoming call" : "Outgoing call", text(params[lenient: "phone"]),
                    params[lenient: "duration"]?.lenientInt.map { "\($0) s" }, text(params[lenient: "link"]),
                ]
                body = parts.compactMap { $0 }.joined(separator: ", ")
            default: body = nil
            }
            guard let body else {
                skipped += 1
                continue
            }
            let author = id(n[lenient: "created_by"]) ?? id(n[lenient: "responsible_user_id"])
            out.append(RemoteNote(id: nid, deal: lead, at: at, author: author, text: body))
        }
        return (out, skipped)
    }

    /// The tasks of `GET /api/v4/tasks` pages that are on a lead (`entity_type` `leads`); the others are counted as
    /// skipped. Their text is the title (the first line, at most 500 characters; the whole text kept beside when longer);
    /// a completed one is done at its `updated_at`, with `result.text`.
    public static func tasks(_ items: [JSONValue]) -> (tasks: [RemoteTask], skipped: Int) {
        var (out, skipped) = ([RemoteTask](), 0)
        for t in items {
            let entity = t[lenient: "entity_type"]?.lenientText ?? ""
            guard entity == "leads" || entity == "lead", let tid = id(t[lenient: "id"]), let lead = id(t[lenient: "entity_id"]),
                let created = moment(t[lenient: "created_at"])
            else {
                skipped += 1
                continue
            }
            let (title, body) = RemoteTask.titled(long(t[lenient: "text"]) ?? "")
            let done = t[lenient: "is_completed"]?.lenientFlag == true
            out.append(
                RemoteTask(
                    id: tid, deal: lead, title: title.isEmpty ? "Task" : title, text: body, dueAt: moment(t[lenient: "complete_till"]),
                    responsible: id(t[lenient: "responsible_user_id"]), author: id(t[lenient: "created_by"]), createdAt: created,
                    status: done ? .done : .open, doneAt: done ? moment(t[lenient: "updated_at"]) ?? created : nil,
                    result: done ? long(t[lenient: "result"]?[lenient: "text"]) : nil))
        }
        return (out, skipped)
    }

    /// A non-empty text of a note or task, at most 20,000 characters.
    static func long(_ v: JSONValue?) -> String? {
        guard let s = v?.lenientText?.trimmingCharacters(in: .whitespacesAndNewlines), !s.isEmpty else { return nil }
        return String(s.prefix(20_000))
    }

    /// A positive id within JSON's exact integers, as text.
    static func id(_ v: JSONValue?) -> String? {
        guard let n = v?.lenientInt, n > 0 else { return nil }
        return String(n)
    }

    /// A non-empty text, at most 1,000 characters.
    static func text(_ v: JSONValue?) -> String? {
        guard let s = v?.lenientText?.trimmingCharacters(in: .whitespacesAndNewlines), !s.isEmpty else { return nil }
        return String(s.prefix(1000))
    }

    /// Seconds since 1970 as a moment; nil for none, zero, or out of range.
    static func moment(_ v: JSONValue?) -> Timestamp? {
        guard let n = v?.lenientInt, n > 0 else { return nil }
        return Timestamp(checkedSeconds: n)
    }
}
