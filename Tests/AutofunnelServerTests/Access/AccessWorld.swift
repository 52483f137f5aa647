import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation

/// Who acts in the authorization matrix: a role, or nobody at all.
enum Acting: String, CaseIterable, Sendable {
    case anonymous, admin, headOfSales, manager, marketer, observer

    var role: Role? { self == .anonymous ? nil : Role(rawValue: self == .headOfSales ? "head_of_sales" : rawValue) }
}

/// Whose record a request touches.
enum Ownership: String, CaseIterable, Sendable {
    /// The acting user's own open deal in the granted pipeline (or their own user, token).
    case own
    /// A colleague's open deal in the granted pipeline (or the colleague's user, token).
    case another
    /// The acting user's deal in a pipeline they have no grant for.
    case noGrant
    /// The acting user's closed (lost) deal in the granted pipeline.
    case closed
}

/// A fresh installation for one matrix case: pipelines `sales` (granted) and `other` (no grant for anyone but the
/// admin), one user per role plus a colleague manager, each with a password and a token, and the four deals of the
/// acting user's ownership cases.
struct AccessWorld: Sendable {
    static let password = "matrix-passphrase-2026"
    let t: TestServices
    let users: [Acting: User]
    let colleague: User
    let tokens: [Acting: String]
    let colleagueTokenID: Int64
    let ownTokenID: Int64
    let deals: [Ownership: DealID]
    /// An open task on each of those deals, assigned to the colleague.
    let tasks: [Ownership: TaskID]
    /// A notice of the acting user and one of the colleague.
    let ownNotice: Int64
    let colleagueNotice: Int64
    let contact: Contact
    let company: Company
    /// A second contact and company, for the merge routes to merge away.
    let twinContact: Contact
    let twinCompany: Company
    let webhook: Int64
    static let inboundSecret = "ais_matrix-secret"
    let message: Int64
    /// A timer parked after failing (the dead-letter routes requeue it).
    let parkedTimer: Int64
    /// A rendered document on each deal.
    let documents: [Ownership: Int64]
    /// A finished import job.
    let importJob: Int64
    /// A colleague's note on each deal.
    let notes: [Ownership: Int64]

    static func make(acting: Acting) async throws -> AccessWorld {
        let t = try await TestServices.make(.sqliteMemory)
        let auth = t.services.auth
        _ = try await t.services.pipelines.apply(Fixtures.salesDefinition(key: "other"))
        var users: [Acting: User] = [:]
        var tokens: [Acting: String] = [:]
        for a in Acting.allCases where a != .anonymous {
            let user = try await t.user("\(a.rawValue)@matrix.test", role: a.role!, password: password)
            users[a] = user
            tokens[a] = try await t.token(for: user)
        }
        let colleague = try await t.user("colleague@matrix.test", role: .manager, password: password)
        let colleagueToken = try await auth.createToken(for: colleague.id, name: "colleague", scope: .write, by: nil)
        let grants: [Acting: [PipelineKey: GrantLevel]] = [
            .headOfSales: ["sales": .writeAll, "other": .none], .manager: ["sales": .own, "other": .none],
            .marketer: ["sales": .readAll], .observer: ["sales": .readAll],
        ]
        for (a, g) in grants { _ = try await auth.setGrants(users[a]!.id, g, by: nil) }
        _ = try await auth.setGrants(colleague.id, ["sales": .own], by: nil)

        let webhook = try await t.services.store.write { s in
            try await s.insertEndpoint(name: "erp", url: "http://127.0.0.1:9/hook", secret: WebhookSigner.newSecret(), events: ["*"], at: Fixtures.t0)
                .id
        }
        try await t.services.store.write { s in
            try await s.insertSource(
                InboundSource(
                    key: "site", pipeline: "sales", stage: nil, secretHash: Secrets.hash(AccessWorld.inboundSecret), responsible: nil,
                    createdAt: Fixtures.t0))
        }
        let me = users[acting] ?? users[.admin]!
        let contact = try await t.contact()
        let company = try await t.services.parties.createCompany(name: "ООО Ромашка", fields: nil)
        let twinContact = try await t.services.parties.createContact(.init(name: "Анна", phones: ["8 912 345 67 89"]))
        let twinCompany = try await t.services.parties.createCompany(name: "ООО Ромашка", fields: nil)
        func deal(_ pipeline: PipelineKey, responsible: User) async throws -> DealID {
            var input = t.completeInput(contact: contact)
            input.responsible = responsible.id
            return try await t.services.deals.create(pipeline: pipeline, stage: nil, input: input, actor: Actor(kind: .import)).id
        }
        let closed = try await deal("sales", responsible: me)
        _ = try await t.services.deals.close(closed, won: false, reason: "spam", comment: nil, actor: Actor(kind: .import))
        let deals: [Ownership: DealID] = [
            .own: try await deal("sales", responsible: me), .another: try await deal("sales", responsible: colleague),
            .noGrant: try await deal("other", responsible: me), .closed: closed,
        ]
        let ownTokenID = try await t.services.store.read { s in try await s.tokens(user: me.id).first!.id }
        var tasks: [Ownership: TaskID] = [:]
        for (o, id) in deals {
            tasks[o] = try await t.services.store.write { s in
                try await s.insertTask(
                    DealTask(
                        id: TaskID(0), deal: id, title: "Позвонить", assignee: colleague.id, creator: nil, dueAt: Fixtures.t0, createdAt: Fixtures.t0)
                ).id
            }
        }
        var documents: [Ownership: Int64] = [:]
        for (o, id) in deals {
            documents[o] = try await t.services.store.write { s in
                try await s.insertDocument(deal: id, name: "КП", contentType: "text/html", body: "<p>КП</p>", rule: nil, at: Fixtures.t0).id
            }
        }
        var notes: [Ownership: Int64] = [:]
        for (o, id) in deals {
            notes[o] = try await t.services.store.write { s in
                try await s.insertNote(deal: id, text: "Заметка коллеги", author: colleague.id, at: Fixtures.t0).id.rawValue
            }
        }
        let (ownNotice, colleagueNotice) = try await t.services.store.write { s in
            try await s.insertNotice(Notice(user: me.id, deal: nil, kind: "test", text: "мне", createdAt: Fixtures.t0))
            try await s.insertNotice(Notice(user: colleague.id, deal: nil, kind: "test", text: "коллеге", createdAt: Fixtures.t0))
            return (
                try await s.notices(user: me.id, unreadOnly: false).first!.id, try await s.notices(user: colleague.id, unreadOnly: false).first!.id
            )
        }
        let message = try await t.services.store.read { s in try await s.outbox(status: nil).first!.seq }
        let parkedTimer = try await t.services.store.write { s in
            let deal = deals.values.first!
            try await s.insertTimer(deal: deal, stage: StageKey("new"), rule: "matrix", dueAt: Fixtures.t0, at: Fixtures.t0)
            let due = try await s.claimDueTimers(now: Fixtures.t0, owner: "matrix", until: Fixtures.t0.adding(millis: 60_000), limit: 10)
            for timer in due where timer.rule == "matrix" {
                _ = try await s.recordTimerFailure(timer.id, owner: "matrix", error: "matrix", now: Fixtures.t0, maximumAttempts: 1) { _ in
                    Fixtures.t0
                }
            }
            return try await s.parkedTimers(limit: 1).first!.id
        }
        let importJob = try await t.services.store.write { s in
            try await s.insertImportJob(
                ImportJob(
                    status: .finished, fileName: "deals.csv", source: "csv", mapping: "source: csv\ncolumns: {}\n", dryRun: true, skipUnmapped: false,
                    upload: "0123456789abcdef0123456789abcdef", createdBy: nil, createdAt: Fixtures.t0, heartbeatAt: Fixtures.t0)
            ).id
        }
        return AccessWorld(
            t: t, users: users, colleague: colleague, tokens: tokens, colleagueTokenID: colleagueToken.token.id, ownTokenID: ownTokenID,
            deals: deals, tasks: tasks, ownNotice: ownNotice, colleagueNotice: colleagueNotice, contact: contact, company: company,
            twinContact: twinContact, twinCompany: twinCompany, webhook: webhook, message: message, parkedTimer: parkedTimer, documents: documents,
            importJob: importJob, notes: notes)
    }

    /// The acting user, or the admin for anonymous requests that need someone's e-mail.
    func user(_ acting: Acting) -> User { users[acting] ?? users[.admin]! }
}
