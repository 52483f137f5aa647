import AutofunnelCore
import AutofunnelStore
import Foundation

/// The events a change publishes to subscribed webhook endpoints, written to the outbox in the change's transaction.
enum Webhooks {
    /// A new stable message id.
    static func messageID() -> String { "msg_" + Secrets.base64URL(bytes: 18) }

    /// A moment as RFC 3339 UTC text.
    static func iso(_ t: Timestamp) -> String { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(t.millis) / 1000)) }

    /// A JSON value as the Foundation object `JSONSerialization` takes.
    static func foundation(_ v: JSONValue) -> Any {
        switch v {
        case .null: return NSNull()
        case .bool(let b): return b
        case .number(let n): return n
        case .string(let s): return s
        case .array(let a): return a.map(foundation)
        case .object(let o): return o.mapValues(foundation)
        }
    }

    /// The JSON body: `{type, timestamp, data}` as Standard Webhooks recommends.
    static func payload(type: String, at: Timestamp, data: [String: Any]) -> String {
        let body: [String: Any] = ["type": type, "timestamp": iso(at), "data": data]
        let json = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: json, as: UTF8.self)
    }

    static func dealData(_ d: Deal, from: StageKey? = nil) -> [String: Any] {
        var out: [String: Any] = [
            "id": d.id.rawValue, "lineageId": d.lineage.rawValue, "pipeline": d.pipeline.rawValue, "stage": d.stage.rawValue,
            "status": d.status.rawValue,
            "title": d.title,
        ]
        if let from { out["fromStage"] = from.rawValue }
        if let a = d.amount { out["amount"] = ["value": a.decimalText, "currency": a.currency.code] }
        if let r = d.responsible { out["responsibleId"] = r.rawValue }
        return out
    }

    /// Publishes what a change of a deal means: `deal.created`, `deal.stage_changed`, `deal.won`, `deal.lost`.
    static func publish(from old: Deal?, to new: Deal, session s: StoreSession, now: Timestamp) async throws {
        // Every change comes through here: without a subscribed endpoint it builds no payload and writes nothing.
        let endpoints = try await s.endpoints()
        guard endpoints.contains(where: \.active) else { return }
        var types: [(String, [String: Any])] = []
        if old == nil {
            types.append(("deal.created", dealData(new)))
        } else if let old, old.stage != new.stage {
            types.append(("deal.stage_changed", dealData(new, from: old.stage)))
            if old.status == .open && new.status == .won { types.append(("deal.won", dealData(new, from: old.stage))) }
            if old.status == .open && new.status == .lost { types.append(("deal.lost", dealData(new, from: old.stage))) }
        }
        for (type, data) in types where endpoints.contains(where: { $0.receives(type) }) {
            try await s.enqueue(
                type: type, payload: payload(type: type, at: now, data: data), id: { _ in messageID() }, at: now, endpoints: endpoints)
        }
    }
}
