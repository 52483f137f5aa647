import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Foundation
import OpenAPIRuntime

/// Conversions between domain values and the generated API schemas.
enum SchemaMapping {
    static func date(_ t: Timestamp) -> Date { Date(timeIntervalSince1970: Double(t.millis) / 1000) }
    /// A date a caller sent, refused (400 naming `field`) outside years 1–9999.
    static func timestamp(_ d: Date, field: String) throws -> Timestamp {
        guard let t = Timestamp(checkedSeconds: d.timeIntervalSince1970) else {
            throw AppError.invalidParameter(field, ru: "\(field) — дата с 1 по 9999 год", en: "\(field) must be a date of years 1 to 9999")
        }
        return t
    }

    static func money(_ m: Money) -> Components.Schemas.Money { .init(value: m.decimalText, currency: m.currency.code) }
    static func money(_ m: MoneyTotal) -> Components.Schemas.Money { .init(value: m.decimalText, currency: m.currency.code) }
    static func amountInput(_ m: Components.Schemas.Money?) -> DealInput.Amount? { m.map { .init(value: $0.value, currency: $0.currency) } }

    /// Free-form JSON objects cross through their JSON text, which keeps every value exactly as sent.
    static func container(_ values: [FieldKey: JSONValue]) throws -> OpenAPIObjectContainer {
        let plain = Dictionary(uniqueKeysWithValues: values.map { ($0.key.rawValue, $0.value) })
        return try JSONDecoder().decode(OpenAPIObjectContainer.self, from: JSONEncoder().encode(plain))
    }

    static func values(_ container: OpenAPIObjectContainer?) throws -> [String: JSONValue]? {
        guard let container else { return nil }
        return try JSONDecoder().decode([String: JSONValue].self, from: JSONEncoder().encode(container))
    }

    static func deal(_ d: Deal) throws -> Components.Schemas.Deal {
        .init(
            id: d.id.rawValue, lineageId: d.lineage.rawValue, pipeline: d.pipeline.rawValue, stage: d.stage.rawValue,
            status: .init(rawValue: d.status.rawValue)!, title: d.title, amount: d.amount.map(money), responsibleId: d.responsible?.rawValue,
            headOfSalesId: d.headOfSales?.rawValue, contactId: d.contact?.rawValue, companyId: d.company?.rawValue, source: d.source,
            fields: try container(d.fields), lossComment: d.lossComment, copiedFromId: d.copiedFrom?.rawValue, createdAt: date(d.createdAt),
            updatedAt: date(d.updatedAt), stageEnteredAt: date(d.stageEnteredAt), closedAt: d.closedAt.map(date))
    }

    static func contact(_ c: Contact) throws -> Components.Schemas.Contact {
        .init(
            id: c.id.rawValue, name: c.name, phones: c.phones, emails: c.emails, companyId: c.company?.rawValue, fields: try container(c.fields),
            createdAt: date(c.createdAt), updatedAt: date(c.updatedAt))
    }

    static func company(_ c: Company) throws -> Components.Schemas.Company {
        .init(id: c.id.rawValue, name: c.name, fields: try container(c.fields), createdAt: date(c.createdAt), updatedAt: date(c.updatedAt))
    }

    static func user(_ u: User) -> Components.Schemas.User {
        .init(
            id: u.id.rawValue, email: u.email, name: u.name, locale: .init(rawValue: u.locale.rawValue)!, createdAt: date(u.createdAt),
            role: .init(rawValue: u.role.rawValue)!, active: u.active, timeZone: u.timeZone?.rawValue)
    }

    static func task(_ t: DealTask, now: Timestamp) -> Components.Schemas.Task {
        .init(
            id: t.id.rawValue, dealId: t.deal.rawValue, title: t.title, text: t.text, assigneeId: t.assignee?.rawValue,
            creatorId: t.creator?.rawValue,
            stage: t.stage?.rawValue, rule: t.rule, status: .init(rawValue: t.status.rawValue)!, dueAt: date(t.dueAt), overdue: t.isOverdue(at: now),
            createdAt: date(t.createdAt), completedAt: t.completedAt.map(date), kind: .init(rawValue: t.kind.rawValue)!)
    }

    static func notice(_ n: Notice) -> Components.Schemas.Notice {
        .init(
            id: n.id, dealId: n.deal?.rawValue, taskId: n.task?.rawValue, kind: n.kind, text: n.text, createdAt: date(n.createdAt),
            readAt: n.readAt.map(date))
    }

    static func endpoint(_ e: WebhookEndpoint) -> Components.Schemas.WebhookEndpoint {
        .init(id: e.id, name: e.name, url: e.url, events: e.events, active: e.active, disabledReason: e.disabledReason, createdAt: date(e.createdAt))
    }

    static func channel(_ e: WebhookEndpoint) -> Components.Schemas.Channel {
        .init(
            id: e.id, name: e.name, kind: e.kind == .email ? .email : .messenger, url: e.url, sender: e.sender, unsubscribeText: e.unsubscribeText,
            active: e.active, createdAt: date(e.createdAt))
    }

    static func document(_ d: DealDocument) -> Components.Schemas.Document {
        .init(id: d.id, dealId: d.deal.rawValue, name: d.name, contentType: d.contentType, rule: d.rule, createdAt: date(d.createdAt))
    }

    static func message(_ m: OutboxMessage) -> Components.Schemas.WebhookMessage {
        .init(
            seq: m.seq, id: m.id, endpointId: m.endpoint, _type: m.type, status: .init(rawValue: m.status.rawValue)!, attempts: m.attempts,
            nextAttemptAt: date(m.nextAttemptAt), lastStatus: m.lastStatus, lastError: m.lastError, createdAt: date(m.createdAt),
            deliveredAt: m.deliveredAt.map(date), payload: m.payload)
    }

    static func source(_ s: InboundSource) -> Components.Schemas.InboundSource {
        .init(
            key: s.key, pipeline: s.pipeline.rawValue, stage: s.stage?.rawValue, responsibleId: s.responsible?.rawValue, createdAt: date(s.createdAt))
    }

    static func grants(_ g: [PipelineKey: GrantLevel]) -> [Components.Schemas.Grant] {
        g.sorted { $0.key.rawValue < $1.key.rawValue }.map { .init(pipeline: $0.key.rawValue, level: .init(rawValue: $0.value.rawValue)!) }
    }

    static func token(_ t: APIToken) -> Components.Schemas.Token {
        .init(
            id: t.id, userId: t.user.rawValue, name: t.name, prefix: t.prefix, scope: .init(rawValue: t.scope.rawValue)!,
            createdAt: date(t.createdAt),
            lastUsedAt: t.lastUsedAt.map(date), revokedAt: t.revokedAt.map(date))
    }

    static func audit(_ e: AuditEntry) -> Components.Schemas.AuditEntry {
        .init(
            seq: e.seq, at: date(e.at), action: e.action.rawValue, actorId: e.actor?.rawValue, subjectUserId: e.subject?.rawValue, email: e.email,
            ip: e.ip, detail: e.detail)
    }

    static func note(_ n: Note) -> Components.Schemas.Note {
        var contact: Int64? = nil
        var company: Int64? = nil
        if case .contact(let id) = n.owner { contact = id.rawValue }
        if case .company(let id) = n.owner { company = id.rawValue }
        return .init(
            id: n.id.rawValue, dealId: n.deal?.rawValue, contactId: contact, companyId: company, text: n.text, authorId: n.author?.rawValue,
            createdAt: date(n.createdAt), pinned: n.pinned, editedAt: n.editedAt.map(date))
    }

    static func actorKind(_ k: ActorKind) -> Components.Schemas.ActorKind { .init(rawValue: k.rawValue)! }

    static func stageLog(_ e: StageLogEntry) -> Components.Schemas.StageLogEntry {
        .init(
            seq: e.seq, dealId: e.deal.rawValue, lineageId: e.lineage.rawValue, pipeline: e.pipeline.rawValue, from: e.from?.rawValue,
            to: e.to.rawValue,
            at: date(e.at), actorId: e.actor.userID?.rawValue, actorKind: actorKind(e.actor.kind), cause: e.cause,
            responsibleId: e.responsible?.rawValue,
            amount: e.amount.map(money))
    }

    static func timeline(_ e: TimelineEntry) -> Components.Schemas.TimelineEntry {
        .init(
            seq: e.seq, dealId: e.deal.rawValue, at: date(e.at), kind: e.kind, field: e.field, old: e.old, new: e.new, text: e.text,
            actorId: e.actor?.userID?.rawValue, actorKind: e.actor.map { actorKind($0.kind) })
    }

    /// The generated schema and the Core file format are the same JSON; crossing through JSON keeps them in step.
    static func definition(_ p: Pipeline) throws -> Components.Schemas.PipelineDefinition {
        try JSONDecoder().decode(Components.Schemas.PipelineDefinition.self, from: JSONEncoder().encode(p.definition))
    }

    static func definition(_ d: Components.Schemas.PipelineDefinition) throws -> PipelineDefinition {
        try JSONDecoder().decode(PipelineDefinition.self, from: JSONEncoder().encode(d))
    }

    static func field(_ f: FieldDefinition, owner: PipelineKey?) throws -> Components.Schemas.FieldDefinition {
        .init(
            entity: .init(rawValue: f.entity.rawValue)!, key: f.key.rawValue, _type: .init(rawValue: f.type.rawValue)!,
            name: .init(ru: f.name.ru, en: f.name.en), options: f.options?.map { .init(key: $0.key, name: .init(ru: $0.name.ru, en: $0.name.en)) },
            declaredBy: owner?.rawValue, access: accessMap(f.access))
    }

    static func accessMap(_ a: [Role: FieldAccess]?) -> Components.Schemas.FieldAccessMap? {
        guard let a, !a.isEmpty else { return nil }
        func v(_ r: Role) -> Components.Schemas.FieldAccess? { a[r].map { .init(rawValue: $0.rawValue)! } }
        return .init(head_of_sales: v(.headOfSales), manager: v(.manager), marketer: v(.marketer), observer: v(.observer))
    }

    static func accessMap(_ m: Components.Schemas.FieldAccessMap?) -> [Role: FieldAccess]? {
        guard let m else { return nil }
        var out: [Role: FieldAccess] = [:]
        for (role, value) in [(Role.headOfSales, m.head_of_sales), (.manager, m.manager), (.marketer, m.marketer), (.observer, m.observer)] {
            if let value, value != .write { out[role] = FieldAccess(rawValue: value.rawValue)! }
        }
        return out.isEmpty ? nil : out
    }
}
