import AutofunnelCore
import Foundation

/// Bitrix24 REST's JSON (`IMPORT.md` §3, `WIRE.md`) as `LiveSnapshot` records: categories are pipelines, their
/// `crm.status.list` stages the statuses (`SEMANTICS` S won, F lost; `EXTRA.SEMANTICS` success/failure as newer
/// portals write it), and `crm.stagehistory.list` rows (`TYPE_ID` 1 created, others moves) each deal's history, the
/// origin of a move being the stage of the row before it. Values are strings there; ids and amounts are read within
/// bounds and moments with `ImportDates`, anything out of range skipped.
public enum Bitrix24Mapping {
    /// The category of deals in no other (`CATEGORY_ID` 0), when the portal's list leaves it out.
    public static let defaultCategory = RemotePipeline(id: "0", name: "Общая", statuses: [])

    /// The categories of `crm.category.list`, in `sort` order, the default one (id 0) included.
    public static func categories(_ result: JSONValue) -> [(id: String, name: String)] {
        let items = (result[lenient: "categories"] ?? result).lenientItems
        let sorted = items.enumerated().sorted { a, b in
            (a.element[lenient: "sort"]?.lenientInt ?? 0, a.offset) < (b.element[lenient: "sort"]?.lenientInt ?? 0, b.offset)
        }
        var out: [(id: String, name: String)] = sorted.compactMap { _, c in
            guard let cid = id(c[lenient: "id"], zero: true) else { return nil }
            return (cid, text(c[lenient: "name"]) ?? "c" + cid)
        }
        if !out.contains(where: { $0.id == "0" }) { out.insert((defaultCategory.id, defaultCategory.name), at: 0) }
        return out
    }

    /// A category's stages from `crm.status.list`, in `SORT` order.
    public static func statuses(_ items: [JSONValue]) -> [RemoteStatus] {
        let sorted = items.enumerated().sorted { a, b in
            (a.element[lenient: "SORT"]?.lenientInt ?? 0, a.offset) < (b.element[lenient: "SORT"]?.lenientInt ?? 0, b.offset)
        }
        return sorted.compactMap { _, s in
            guard let sid = text(s[lenient: "STATUS_ID"]) else { return nil }
            let semantics = (text(s[lenient: "SEMANTICS"]) ?? text(s[lenient: "EXTRA"]?[lenient: "SEMANTICS"]) ?? "").uppercased()
            let outcome: Stage.Outcome? = ["S", "SUCCESS"].contains(semantics) ? .won : ["F", "FAILURE"].contains(semantics) ? .lost : nil
            return RemoteStatus(id: sid, name: text(s[lenient: "NAME"]) ?? sid, outcome: outcome)
        }
    }

    /// E-mail by user id, from `user.get`.
    public static func users(_ items: [JSONValue]) -> [String: String] {
        var out: [String: String] = [:]
        for u in items {
            if let uid = id(u[lenient: "ID"]), let email = text(u[lenient: "EMAIL"]) { out[uid] = email }
        }
        return out
    }

    /// Deals of `crm.deal.list`.
    public static func deals(_ items: [JSONValue]) -> [RemoteDeal] {
        items.compactMap { d in
            guard let did = id(d[lenient: "ID"]), let stage = text(d[lenient: "STAGE_ID"]) else { return nil }
            let amount = text(d[lenient: "OPPORTUNITY"]).flatMap { Decimal(string: $0).map { $0 > 0 } == true ? $0 : nil }
            let closed = d[lenient: "CLOSED"]?.lenientFlag == true
            return RemoteDeal(
                id: did, pipeline: id(d[lenient: "CATEGORY_ID"], zero: true) ?? "0", status: stage, title: text(d[lenient: "TITLE"]) ?? "",
                amount: amount, currency: amount == nil ? nil : text(d[lenient: "CURRENCY_ID"]), responsible: id(d[lenient: "ASSIGNED_BY_ID"]),
                contact: id(d[lenient: "CONTACT_ID"]), company: id(d[lenient: "COMPANY_ID"]),
                createdAt: moment(d[lenient: "DATE_CREATE"]) ?? Timestamp(millis: 0), closedAt: closed ? moment(d[lenient: "CLOSEDATE"]) : nil)
        }
    }

    /// Contacts of `crm.contact.list` (with `PHONE` and `EMAIL` selected).
    public static func contacts(_ items: [JSONValue]) -> [RemoteParty] {
        items.compactMap { c in
            guard let cid = id(c[lenient: "ID"]) else { return nil }
            let phones = (c[lenient: "PHONE"]?.lenientItems ?? []).compactMap { text($0[lenient: "VALUE"]) }
            let emails = (c[lenient: "EMAIL"]?.lenientItems ?? []).compactMap { text($0[lenient: "VALUE"]) }
            let name = [c[lenient: "NAME"], c[lenient: "SECOND_NAME"], c[lenient: "LAST_NAME"]].compactMap { text($0) }.joined(separator: " ")
            return RemoteParty(
                id: cid, name: name.isEmpty ? phones.first ?? emails.first ?? "#" + cid : name, phones: phones, emails: emails,
                company: id(c[lenient: "COMPANY_ID"]), createdAt: moment(c[lenient: "DATE_CREATE"]) ?? Timestamp(millis: 0))
        }
    }

    /// Companies of `crm.company.list`.
    public static func companies(_ items: [JSONValue]) -> [RemoteParty] {
        items.compactMap { c in
            guard let cid = id(c[lenient: "ID"]) else { return nil }
            return RemoteParty(
                id: cid, name: text(c[lenient: "TITLE"]) ?? "#" + cid, createdAt: moment(c[lenient: "DATE_CREATE"]) ?? Timestamp(millis: 0))
        }
    }

    /// The moves of `crm.stagehistory.list` rows of deals, in `ID` order per deal.
    public static func moves(_ items: [JSONValue]) -> [RemoteMove] {
        let rows = items.compactMap { r -> (Int64, RemoteMove, Bool)? in
            guard let rid = r[lenient: "ID"]?.lenientInt, let owner = id(r[lenient: "OWNER_ID"]), let stage = text(r[lenient: "STAGE_ID"]),
                let at = moment(r[lenient: "CREATED_TIME"])
            else { return nil }
            let created = r[lenient: "TYPE_ID"]?.lenientInt == 1
            let move = RemoteMove(deal: owner, pipeline: id(r[lenient: "CATEGORY_ID"], zero: true) ?? "0", from: nil, to: stage, at: at)
            return (rid, move, created)
        }.sorted { $0.0 < $1.0 }
        var last: [String: String] = [:]
        var out: [RemoteMove] = []
        for (_, move, created) in rows {
            var m = move
            m.from = created ? nil : (last[m.deal] ?? "")
            last[m.deal] = m.to
            out.append(m)
        }
        return out
    }

    /// The activities of `crm.activity.list` on deals (`OWNER_TYPE_ID` 2) as notes: `SUBJECT`, then `DESCRIPTION` on
    /// the next lines (an HTML description, `DESCRIPTION_TYPE` 3, without its tags), at `CREATED`, by `AUTHOR_ID` (else
    /// `RESPONSIBLE_ID`). Activities of other owners and those that stand for a task (`TYPE_ID` 3, a `TASKS…`
    /// provider: `tasks.task.list` brings the task itself) are counted as skipped.
    public static func notes(_ items: [JSONValue]) -> (notes: [RemoteNote], skipped: Int) {
        var (out, skipped) = ([RemoteNote](), 0)
        for a in items {
            let owner = a[lenient: "OWNER_TYPE_ID"]?.lenientInt ?? 2
            let provider = (text(a[lenient: "PROVIDER_ID"]) ?? "").uppercased()
            guard owner == 2, a[lenient: "TYPE_ID"]?.lenientInt != 3, !provider.hasPrefix("TASKS"), let aid = id(a[lenient: "ID"]),
                let deal = id(a[lenient: "OWNER_ID"]), let at = moment(a[lenient: "CREATED"])
            else {
                skipped += 1
                continue
            }
            var description = AmoCRMMapping.long(a[lenient: "DESCRIPTION"]) ?? ""
            if a[lenient: "DESCRIPTION_TYPE"]?.lenientInt == 3 { description = plain(html: description) }
            let body = [AmoCRMMapping.long(a[lenient: "SUBJECT"]), description.isEmpty ? nil : description].compactMap { $0 }
            guard !body.isEmpty else {
                skipped += 1
                continue
            }
            out.append(
                RemoteNote(
                    id: aid, deal: deal, at: at, author: id(a[lenient: "AUTHOR_ID"]) ?? id(a[lenient: "RESPONSIBLE_ID"]),
                    text: String(body.joined(separator: "\n").prefix(20_000))))
        }
        return (out, skipped)
    }

    /// The tasks of `tasks.task.list` (camelCase keys, or upper case as older portals write them) that are on a deal:
    /// `UF_CRM_TASK` names it as `D_<id>`; the others are counted as skipped. `STATUS` 4 (awaiting control) and 5
    /// are done, 7 (declined) closed, the rest open.
    public static func tasks(_ items: [JSONValue]) -> (tasks: [RemoteTask], skipped: Int) {
        var (out, skipped) = ([RemoteTask](), 0)
        func field(_ t: JSONValue, _ camel: String, _ upper: String) -> JSONValue? { t[lenient: camel] ?? t[lenient: upper] }
        for t in items {
            let links = (field(t, "ufCrmTask", "UF_CRM_TASK")?.lenientItems ?? []).compactMap(\.lenientText)
            let deal = links.lazy.compactMap { link -> String? in
                guard link.uppercased().hasPrefix("D_") else { return nil }
                return id(.string(String(link.dropFirst(2))))
            }.first
            guard let deal, let tid = id(field(t, "id", "ID")), let created = moment(field(t, "createdDate", "CREATED_DATE")) else {
                skipped += 1
                continue
            }
            let (title, body) = RemoteTask.titled(AmoCRMMapping.long(field(t, "title", "TITLE")) ?? "")
            let description = AmoCRMMapping.long(field(t, "description", "DESCRIPTION"))
            let details = [body, description].compactMap { $0 }.joined(separator: "\n\n")
            let status: DealTask.Status =
                switch field(t, "status", "STATUS")?.lenientInt {
                case 4, 5: .done
                case 7: .closed
                default: .open
                }
            out.append(
                RemoteTask(
                    id: tid, deal: deal, title: title.isEmpty ? "Task" : title,
                    text: details.isEmpty ? nil : details,
                    dueAt: moment(field(t, "deadline", "DEADLINE")), responsible: id(field(t, "responsibleId", "RESPONSIBLE_ID")),
                    author: id(field(t, "createdBy", "CREATED_BY")), createdAt: created, status: status,
                    doneAt: status == .open ? nil : moment(field(t, "closedDate", "CLOSED_DATE")) ?? created))
        }
        return (out, skipped)
    }

    /// HTML as plain text: a line break and the end of a paragraph, block, list item or table row as a line break,
    /// other tags dropped, the common entities read.
    static func plain(html: String) -> String {
        var out = ""
        var tag: String?
        for ch in html {
            if tag != nil {
                if ch == ">" {
                    let name = (tag ?? "").lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
                    if ["br", "br/", "/p", "/div", "/li", "/tr"].contains(name) { out += "\n" }
                    tag = nil
                } else {
                    tag?.append(ch)
                }
            } else if ch == "<" {
                tag = ""
            } else {
                out.append(ch)
            }
        }
        for (entity, value) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: entity, with: value)
        }
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// An id within JSON's exact integers, as text; zero only when `zero` (category 0).
    static func id(_ v: JSONValue?, zero: Bool = false) -> String? {
        guard let n = v?.lenientInt, n > 0 || (zero && n == 0) else { return nil }
        return String(n)
    }

    static func text(_ v: JSONValue?) -> String? { AmoCRMMapping.text(v) }

    /// An ISO 8601 moment (`2024-04-25T14:59:11+03:00`).
    static func moment(_ v: JSONValue?) -> Timestamp? { text(v).flatMap { ImportDates().parse($0) } }
}
