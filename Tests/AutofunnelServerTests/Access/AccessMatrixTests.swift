import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelTestSupport
import Foundation
import Testing

/// The authorization matrix: every route of the router × every role (and no credential) × every ownership case, each
/// on a fresh installation, compared with the hand-written expectation of `AccessClass`. A route added to the router
/// without an entry in `AccessMatrixTests.routes` fails `everyRouteHasAnEntry`.
@Suite("Authorization matrix")
struct AccessMatrixTests {
    /// How to call one route in one case.
    struct Call: Sendable {
        var path: String
        var json: [String: any Sendable]? = nil
        var raw: String? = nil
        var headers: [String: String] = [:]
    }

    /// One entry per route: its access class and how to call it.
    struct Entry: Sendable {
        let access: AccessClass
        let call: @Sendable (AccessWorld, Acting, Ownership) -> Call
    }

    static func dealPath(_ suffix: String = "") -> @Sendable (AccessWorld, Acting, Ownership) -> Call {
        { w, _, o in Call(path: "/api/v1/deals/\(w.deals[o]!)\(suffix)") }
    }

    static func pipeline(_ o: Ownership) -> String { o == .noGrant ? "other" : "sales" }
    static func simple(_ path: String) -> @Sendable (AccessWorld, Acting, Ownership) -> Call { { _, _, _ in Call(path: path) } }
    static func body(_ path: String, _ json: [String: any Sendable]) -> @Sendable (AccessWorld, Acting, Ownership) -> Call {
        { _, _, _ in Call(path: path, json: json) }
    }

    static let form = ["Content-Type": "application/x-www-form-urlencoded"]

    /// A Bitrix24 webhook address with the caller's own token as the key (none for the anonymous caller: a 401).
    static func webhook(_ w: AccessWorld, _ a: Acting, _ method: String) -> String {
        "/rest/\(w.users[a]?.id.rawValue ?? 1)/\(w.tokens[a] ?? "aft_none")/\(method)"
    }

    static let routes: [String: Entry] = [
        "GET /health": Entry(access: .publicRoute, call: simple("/health")),
        "GET /metrics": Entry(access: .publicRoute, call: simple("/metrics")),
        "GET /api/v1/openapi.yaml": Entry(access: .publicRoute, call: simple("/api/v1/openapi.yaml")),
        "GET /": Entry(access: .publicRoute, call: simple("/")),
        "GET /login": Entry(access: .publicRoute, call: simple("/login")),
        // Pages: they read the session cookie only, so every caller here (bearer tokens) is sent to sign in; the
        // roles on pages are checked by WebPageTests and the browser tests.
        "GET /settings/lint": Entry(access: .publicRoute, call: simple("/settings/lint")),
        "GET /settings": Entry(access: .publicRoute, call: simple("/settings")),
        "GET /settings/pipelines/{key}": Entry(access: .publicRoute, call: simple("/settings/pipelines/sales")),
        "GET /settings/pipelines/{key}/definition.yaml": Entry(access: .publicRoute, call: simple("/settings/pipelines/sales/definition.yaml")),
        "POST /settings/pipelines/{key}/{verb}": Entry(
            access: .publicRoute, call: { _, _, _ in Call(path: "/settings/pipelines/sales/preview", raw: "", headers: form) }),
        "GET /static/{name}": Entry(access: .publicRoute, call: simple("/static/app.css")),
        "GET /imports": Entry(access: .publicRoute, call: simple("/imports")),
        "POST /imports": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/imports", raw: "", headers: form) }),
        "GET /imports/uploads/{id}": Entry(access: .publicRoute, call: simple("/imports/uploads/0123456789abcdef0123456789abcdef")),
        "POST /imports/uploads/{id}": Entry(
            access: .publicRoute, call: { _, _, _ in Call(path: "/imports/uploads/0123456789abcdef0123456789abcdef", raw: "", headers: form) }),
        "GET /imports/jobs/{id}": Entry(access: .publicRoute, call: { w, _, _ in Call(path: "/imports/jobs/\(w.importJob)") }),
        "GET /board": Entry(access: .publicRoute, call: simple("/board?key=sales")),
        "GET /board/{key}": Entry(access: .publicRoute, call: simple("/board/sales")),
        "GET /board/{key}/column/{stage}": Entry(access: .publicRoute, call: simple("/board/sales/column/new")),
        "POST /board/{key}/deals": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/board/sales/deals", raw: "", headers: form) }),
        "POST /locale": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/locale", raw: "", headers: form) }),
        "GET /deals/{id}": Entry(access: .publicRoute, call: simple("/deals/1")),
        "POST /deals/{id}/edit": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/deals/1/edit", raw: "", headers: form) }),
        "POST /deals/{id}/move": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/deals/1/move", raw: "", headers: form) }),
        "POST /deals/{id}/close": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/deals/1/close", raw: "", headers: form) }),
        "POST /deals/{id}/reopen": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/deals/1/reopen", raw: "", headers: form) }),
        "POST /deals/{id}/copy": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/deals/1/copy", raw: "", headers: form) }),
        "POST /deals/{id}/tasks": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/deals/1/tasks", raw: "", headers: form) }),
        "POST /deals/{id}/tags": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/deals/1/tags", raw: "", headers: form) }),
        "POST /deals/{id}/notes": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/deals/1/notes", raw: "", headers: form) }),
        "POST /contacts/tags": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/contacts/tags", raw: "", headers: form) }),
        "POST /companies/tags": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/companies/tags", raw: "", headers: form) }),
        "POST /notes/{id}/{verb}": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/notes/1/pin", raw: "pinned=1", headers: form) }),
        "POST /deals/{id}/fill": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/deals/1/fill", raw: "", headers: form) }),
        "POST /tasks/{id}/{verb}": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/tasks/1/complete", raw: "", headers: form) }),
        "GET /tasks": Entry(access: .publicRoute, call: simple("/tasks")),
        "GET /search": Entry(access: .publicRoute, call: simple("/search?q=%D0%B8%D0%B2%D0%B0%D0%BD")),
        "GET /tokens": Entry(access: .publicRoute, call: simple("/tokens")),
        "GET /contacts": Entry(access: .publicRoute, call: simple("/contacts?q=%D0%90&open=yes")),
        "POST /contacts": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/contacts", raw: "name=x", headers: form) }),
        "GET /contacts/{id}": Entry(access: .publicRoute, call: { w, _, _ in Call(path: "/contacts/\(w.contact.id)") }),
        "POST /contacts/{id}/{verb}": Entry(
            access: .publicRoute, call: { w, _, _ in Call(path: "/contacts/\(w.contact.id)/delete", raw: "", headers: form) }),
        "GET /duplicates": Entry(access: .publicRoute, call: simple("/duplicates?kind=companies")),
        "GET /contacts/{id}/merge": Entry(
            access: .publicRoute, call: { w, _, _ in Call(path: "/contacts/\(w.contact.id)/merge?from=\(w.twinContact.id)") }),
        "POST /contacts/{id}/merge": Entry(
            access: .publicRoute, call: { w, _, _ in Call(path: "/contacts/\(w.contact.id)/merge", raw: "from=\(w.twinContact.id)", headers: form) }),
        "POST /companies/{id}/merge": Entry(
            access: .publicRoute, call: { w, _, _ in Call(path: "/companies/\(w.company.id)/merge", raw: "from=\(w.twinCompany.id)", headers: form) }),
        "GET /companies/{id}/merge": Entry(
            access: .publicRoute, call: { w, _, _ in Call(path: "/companies/\(w.company.id)/merge?from=\(w.twinCompany.id)") }),
        "GET /companies": Entry(access: .publicRoute, call: simple("/companies?sort=created")),
        "POST /companies": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/companies", raw: "name=x", headers: form) }),
        "GET /companies/{id}": Entry(access: .publicRoute, call: { w, _, _ in Call(path: "/companies/\(w.company.id)") }),
        "POST /companies/{id}/{verb}": Entry(
            access: .publicRoute, call: { w, _, _ in Call(path: "/companies/\(w.company.id)/edit", raw: "name=y", headers: form) }),
        "POST /tokens": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/tokens", raw: "", headers: form) }),
        "POST /tokens/{id}/revoke": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/tokens/1/revoke", raw: "", headers: form) }),
        "GET /profile": Entry(access: .publicRoute, call: simple("/profile")),
        "POST /profile": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/profile", raw: "timeZone=UTC", headers: form) }),
        "POST /profile/calendar": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/profile/calendar", raw: "", headers: form) }),
        "POST /profile/calendar/revoke": Entry(
            access: .publicRoute, call: { _, _, _ in Call(path: "/profile/calendar/revoke", raw: "", headers: form) }),
        // The secret address is the credential: a bearer token opens nothing here.
        "GET /calendar/{file}": Entry(access: .publicRoute, call: simple("/calendar/unknown.ics")),
        "GET /notices": Entry(access: .publicRoute, call: simple("/notices")),
        "POST /notices/read": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/notices/read", raw: "", headers: form) }),
        "POST /notices/mail": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/notices/mail", raw: "", headers: form) }),
        // People and access: each role on these pages is checked by PeoplePagesTests.eachRoleGetsWhatItMayOnEveryNewRoute.
        "GET /people": Entry(access: .publicRoute, call: simple("/people")),
        "POST /people": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/people", raw: "name=x", headers: form) }),
        "GET /people/{id}": Entry(access: .publicRoute, call: { w, _, _ in Call(path: "/people/\(w.colleague.id.rawValue)") }),
        "POST /people/{id}/{verb}": Entry(
            access: .publicRoute, call: { w, _, _ in Call(path: "/people/\(w.colleague.id.rawValue)/disable", raw: "", headers: form) }),
        "GET /grants": Entry(access: .publicRoute, call: simple("/grants")),
        "POST /grants": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/grants", raw: "", headers: form) }),
        "GET /audit": Entry(access: .publicRoute, call: simple("/audit?action=login")),
        "GET /audit.csv": Entry(access: .publicRoute, call: simple("/audit.csv")),
        "GET /welcome": Entry(access: .publicRoute, call: simple("/welcome?token=none")),
        "POST /welcome": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/welcome", raw: "token=none", headers: form) }),
        "GET /analytics": Entry(access: .publicRoute, call: simple("/analytics")),
        "GET /analytics/{key}": Entry(access: .publicRoute, call: simple("/analytics/sales")),
        "GET /analytics/{key}/{report}": Entry(access: .publicRoute, call: simple("/analytics/sales/conversion.csv")),
        "POST /login": Entry(
            access: .publicRoute,
            call: { w, a, _ in Call(path: "/login", raw: "email=\(w.user(a).email)&password=\(AccessWorld.password)", headers: form) }),
        "POST /logout": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/logout", raw: "", headers: form) }),
        "GET /setup": Entry(access: .publicRoute, call: simple("/setup?token=none")),
        "POST /setup": Entry(access: .publicRoute, call: { _, _, _ in Call(path: "/setup", raw: "token=none", headers: form) }),

        "POST /api/v1/session": Entry(
            access: .publicRoute,
            call: { w, a, _ in Call(path: "/api/v1/session", json: ["email": w.user(a).email, "password": AccessWorld.password]) }),
        "GET /api/v1/session": Entry(access: .anyUser, call: simple("/api/v1/session")),
        "DELETE /api/v1/session": Entry(access: .anyUser, call: simple("/api/v1/session")),

        "GET /api/v1/pipelines": Entry(access: .anyUser, call: simple("/api/v1/pipelines")),
        "POST /api/v1/pipelines": Entry(
            access: .admin,
            call: { _, _, _ in
                let data = try! JSONEncoder().encode(Fixtures.salesDefinition(key: "third"))
                return Call(path: "/api/v1/pipelines", raw: String(decoding: data, as: UTF8.self))
            }),
        "GET /api/v1/pipelines/{key}": Entry(access: .pipelineRead, call: { _, _, o in Call(path: "/api/v1/pipelines/\(pipeline(o))") }),
        "DELETE /api/v1/pipelines/{key}": Entry(access: .admin, call: { _, _, o in Call(path: "/api/v1/pipelines/\(pipeline(o))") }),
        "GET /api/v1/pipelines/{key}/definition": Entry(
            access: .pipelineRead, call: { _, _, o in Call(path: "/api/v1/pipelines/\(pipeline(o))/definition") }),
        "PUT /api/v1/pipelines/{key}/definition": Entry(
            access: .admin,
            call: { _, _, o in
                let data = try! JSONEncoder().encode(Fixtures.salesDefinition(key: pipeline(o)))
                return Call(path: "/api/v1/pipelines/\(pipeline(o))/definition", raw: String(decoding: data, as: UTF8.self))
            }),
        "GET /api/v1/pipelines/{key}/reports/conversion": Entry(access: .report, call: report("conversion")),
        "GET /api/v1/pipelines/{key}/reports/losses": Entry(access: .lossReport, call: report("losses")),
        "GET /api/v1/pipelines/{key}/reports/revenue": Entry(access: .report, call: report("revenue")),
        "GET /api/v1/pipelines/{key}/reports/stage-times": Entry(access: .report, call: report("stage-times")),
        "GET /api/v1/pipelines/{key}/reports/managers": Entry(access: .report, call: report("managers")),
        "GET /api/v1/pipelines/{key}/reports/cohorts": Entry(access: .report, call: report("cohorts")),
        "GET /api/v1/pipelines/{key}/reports/forecast": Entry(access: .report, call: report("forecast")),
        "GET /api/v1/pipelines/{key}/reports/lineage": Entry(access: .report, call: report("lineage?then=sales")),

        "GET /api/v1/fields": Entry(access: .anyUser, call: simple("/api/v1/fields")),
        "POST /api/v1/fields": Entry(
            access: .admin,
            call: body("/api/v1/fields", ["entity": "deal", "key": "extra", "type": "text", "name": ["ru": "Доп", "en": "Extra"]])),
        "GET /api/v1/fields/{entity}/{key}": Entry(access: .anyUser, call: simple("/api/v1/fields/deal/requirements")),
        "PATCH /api/v1/fields/{entity}/{key}": Entry(
            access: .admin, call: body("/api/v1/fields/deal/requirements", ["name": ["ru": "Требования", "en": "Needs"]])),
        "DELETE /api/v1/fields/{entity}/{key}": Entry(access: .admin, call: simple("/api/v1/fields/contact/segment")),

        "GET /api/v1/deals": Entry(access: .anyUser, call: simple("/api/v1/deals")),
        "POST /api/v1/deals": Entry(
            access: .dealCreate,
            call: { w, a, o in
                let responsible = o == .another ? w.colleague : w.user(a)
                return Call(path: "/api/v1/deals", json: ["pipeline": pipeline(o), "title": "Новая", "responsibleId": Int(responsible.id.rawValue)])
            }),
        // A new external id each call: the upsert creates, so it is allowed whom creating is allowed.
        "PUT /api/v1/deals/by-external-id/{source}/{externalId}": Entry(
            access: .dealCreate,
            call: { w, a, o in
                let responsible = o == .another ? w.colleague : w.user(a)
                return Call(
                    path: "/api/v1/deals/by-external-id/matrix/\(UUID().uuidString)",
                    json: ["pipeline": pipeline(o), "title": "Новая", "responsibleId": Int(responsible.id.rawValue)])
            }),
        "GET /api/v1/deals/{id}": Entry(access: .dealRead, call: dealPath()),
        "PATCH /api/v1/deals/{id}": Entry(
            access: .dealEdit, call: { w, _, o in Call(path: "/api/v1/deals/\(w.deals[o]!)", json: ["title": "Переименована"]) }),
        "DELETE /api/v1/deals/{id}": Entry(access: .dealManage, call: dealPath()),
        "POST /api/v1/deals/{id}/move": Entry(
            access: .dealEdit, call: { w, _, o in Call(path: "/api/v1/deals/\(w.deals[o]!)/move", json: ["stage": "processing_request"]) }),
        "POST /api/v1/deals/{id}/close": Entry(
            access: .dealEdit, call: { w, _, o in Call(path: "/api/v1/deals/\(w.deals[o]!)/close", json: ["result": "lost", "reason": "spam"]) }),
        "POST /api/v1/deals/{id}/reopen": Entry(
            access: .dealManage, call: { w, _, o in Call(path: "/api/v1/deals/\(w.deals[o]!)/reopen", json: ["reason": "ошибка"]) }),
        "POST /api/v1/deals/{id}/copy-to-pipeline": Entry(
            access: .dealEdit, call: { w, _, o in Call(path: "/api/v1/deals/\(w.deals[o]!)/copy-to-pipeline", json: ["pipeline": "sales"]) }),
        "GET /api/v1/deals/{id}/transitions": Entry(access: .dealRead, call: dealPath("/transitions")),
        "GET /api/v1/deals/{id}/timeline": Entry(access: .dealRead, call: dealPath("/timeline")),
        "GET /api/v1/deals/{id}/notes": Entry(access: .dealRead, call: dealPath("/notes")),
        "GET /api/v1/deals/{id}/documents": Entry(access: .dealRead, call: dealPath("/documents")),
        "GET /api/v1/documents/{id}": Entry(access: .dealRead, call: { w, _, o in Call(path: "/api/v1/documents/\(w.documents[o]!)") }),
        "POST /api/v1/deals/{id}/notes": Entry(
            access: .dealEdit, call: { w, _, o in Call(path: "/api/v1/deals/\(w.deals[o]!)/notes", json: ["text": "Перезвонить"]) }),
        // Pinning a note is changing its deal's record; its text is its author's alone (NoteServiceTests).
        "PATCH /api/v1/notes/{id}": Entry(access: .dealEdit, call: { w, _, o in Call(path: "/api/v1/notes/\(w.notes[o]!)", json: ["pinned": true]) }),
        "GET /api/v1/contacts/{id}/notes": Entry(access: .anyUser, call: { w, _, _ in Call(path: "/api/v1/contacts/\(w.contact.id)/notes") }),
        "POST /api/v1/contacts/{id}/notes": Entry(
            access: .partyWrite, call: { w, _, _ in Call(path: "/api/v1/contacts/\(w.contact.id)/notes", json: ["text": "Любит звонки"]) }),
        "GET /api/v1/companies/{id}/notes": Entry(access: .anyUser, call: { w, _, _ in Call(path: "/api/v1/companies/\(w.company.id)/notes") }),
        "POST /api/v1/companies/{id}/notes": Entry(
            access: .partyWrite, call: { w, _, _ in Call(path: "/api/v1/companies/\(w.company.id)/notes", json: ["text": "Оплата с отсрочкой"]) }),

        "GET /api/v1/tasks": Entry(access: .anyUser, call: simple("/api/v1/tasks?overdue=true")),
        "POST /api/v1/tasks": Entry(
            access: .dealEdit,
            call: { w, _, o in
                Call(path: "/api/v1/tasks", json: ["dealId": Int(w.deals[o]!.rawValue), "title": "Перезвонить", "dueAt": "2026-12-01T10:00:00Z"])
            }),
        "POST /api/v1/tasks/{id}/complete": Entry(access: .dealEdit, call: { w, _, o in Call(path: "/api/v1/tasks/\(w.tasks[o]!)/complete") }),

        "GET /api/v1/notices": Entry(access: .anyUser, call: simple("/api/v1/notices?unread=true")),
        "POST /api/v1/notices/{id}/read": Entry(
            access: .ownNotice,
            call: { w, _, o in Call(path: "/api/v1/notices/\(o == .own || o == .closed ? w.ownNotice : w.colleagueNotice)/read") }),

        "GET /api/v1/contacts": Entry(access: .anyUser, call: simple("/api/v1/contacts")),
        "GET /api/v1/search": Entry(access: .anyUser, call: simple("/api/v1/search?q=%D0%BC%D0%B0%D1%82%D1%80%D0%B8%D1%86%D0%B0")),
        "GET /api/v1/tags": Entry(access: .anyUser, call: simple("/api/v1/tags?kind=deal&prefix=v")),
        "POST /api/v1/deals/{id}/tags": Entry(
            access: .dealEdit, call: { w, _, o in Call(path: "/api/v1/deals/\(w.deals[o]!)/tags", json: ["tags": ["VIP"]]) }),
        "DELETE /api/v1/deals/{id}/tags/{tag}": Entry(access: .dealEdit, call: dealPath("/tags/VIP")),
        "POST /api/v1/contacts/{id}/tags": Entry(
            access: .partyWrite, call: { w, _, _ in Call(path: "/api/v1/contacts/\(w.contact.id)/tags", json: ["tags": ["VIP"]]) }),
        "DELETE /api/v1/contacts/{id}/tags/{tag}": Entry(
            access: .partyWrite, call: { w, _, _ in Call(path: "/api/v1/contacts/\(w.contact.id)/tags/VIP") }),
        "POST /api/v1/companies/{id}/tags": Entry(
            access: .partyWrite, call: { w, _, _ in Call(path: "/api/v1/companies/\(w.company.id)/tags", json: ["tags": ["VIP"]]) }),
        "DELETE /api/v1/companies/{id}/tags/{tag}": Entry(
            access: .partyWrite, call: { w, _, _ in Call(path: "/api/v1/companies/\(w.company.id)/tags/VIP") }),
        "POST /api/v1/contacts": Entry(access: .partyWrite, call: body("/api/v1/contacts", ["name": "Борис"])),
        "PUT /api/v1/contacts/by-external-id/{source}/{externalId}": Entry(
            access: .partyWrite,
            call: { _, _, _ in Call(path: "/api/v1/contacts/by-external-id/matrix/\(UUID().uuidString)", json: ["name": "Борис"]) }),
        // The Bitrix24 dialect authenticates by the key in its path and applies the same roles as the JSON API.
        "GET /rest/{userId}/{key}/{method}": Entry(access: .anyUser, call: { w, a, _ in Call(path: webhook(w, a, "crm.category.list.json")) }),
        "POST /rest/{userId}/{key}/{method}": Entry(
            access: .partyWrite, call: { w, a, _ in Call(path: webhook(w, a, "crm.contact.add"), raw: "fields[NAME]=Борис", headers: form) }),
        // Other verbs read a method's parameters the same way; an address without a method name is an unknown method.
        "PUT /rest/{userId}/{key}/{method}": Entry(
            access: .partyWrite, call: { w, a, _ in Call(path: webhook(w, a, "crm.contact.add"), raw: "fields[NAME]=Борис", headers: form) }),
        "PATCH /rest/{userId}/{key}/{method}": Entry(access: .anyUser, call: { w, a, _ in Call(path: webhook(w, a, "crm.category.list")) }),
        "DELETE /rest/{userId}/{key}/{method}": Entry(access: .anyUser, call: { w, a, _ in Call(path: webhook(w, a, "crm.category.list")) }),
        "GET /rest/{userId}/{key}": Entry(access: .unknownMethod, call: { w, a, _ in Call(path: webhook(w, a, "")) }),
        "POST /rest/{userId}/{key}": Entry(access: .unknownMethod, call: { w, a, _ in Call(path: webhook(w, a, "")) }),
        "PUT /rest/{userId}/{key}": Entry(access: .unknownMethod, call: { w, a, _ in Call(path: webhook(w, a, "")) }),
        "PATCH /rest/{userId}/{key}": Entry(access: .unknownMethod, call: { w, a, _ in Call(path: webhook(w, a, "")) }),
        "DELETE /rest/{userId}/{key}": Entry(access: .unknownMethod, call: { w, a, _ in Call(path: webhook(w, a, "")) }),
        // The amoCRM dialect takes the same bearer tokens (a long-lived JWT is one of them) and applies the same roles.
        "GET /api/v4/**": Entry(access: .anyUser, call: simple("/api/v4/leads/pipelines")),
        "POST /api/v4/**": Entry(access: .partyWrite, call: { _, _, _ in Call(path: "/api/v4/contacts", json: ["name": "Борис"]) }),
        "PATCH /api/v4/**": Entry(
            access: .dealEdit, call: { w, _, o in Call(path: "/api/v4/leads/\(w.deals[o]!)", json: ["name": "Переименована"]) }),
        // Verbs amoCRM does not serve here are a 405 in its format to anyone signed in.
        "PUT /api/v4/**": Entry(access: .anyUser, call: simple("/api/v4/leads/1")),
        "DELETE /api/v4/**": Entry(access: .anyUser, call: simple("/api/v4/leads/1")),
        "PUT /{account}/api/v4/**": Entry(access: .anyUser, call: simple("/acme.amocrm.ru/api/v4/leads/1")),
        "DELETE /{account}/api/v4/**": Entry(access: .anyUser, call: simple("/acme.amocrm.ru/api/v4/leads/1")),
        "GET /{account}/api/v4/**": Entry(access: .anyUser, call: simple("/acme.amocrm.ru/api/v4/leads/pipelines")),
        "POST /{account}/api/v4/**": Entry(
            access: .partyWrite, call: { _, _, _ in Call(path: "/acme.amocrm.ru/api/v4/contacts", json: ["name": "Борис"]) }),
        "PATCH /{account}/api/v4/**": Entry(
            access: .dealEdit, call: { w, _, o in Call(path: "/acme.amocrm.ru/api/v4/leads/\(w.deals[o]!)", json: ["name": "Переименована"]) }),
        "GET /api/v1/contacts/{id}": Entry(access: .anyUser, call: { w, _, _ in Call(path: "/api/v1/contacts/\(w.contact.id)") }),
        "PATCH /api/v1/contacts/{id}": Entry(
            access: .partyWrite, call: { w, _, _ in Call(path: "/api/v1/contacts/\(w.contact.id)", json: ["name": "Анна Петровна"]) }),
        "DELETE /api/v1/contacts/{id}": Entry(access: .partyDelete, call: { w, _, _ in Call(path: "/api/v1/contacts/\(w.contact.id)") }),
        "POST /api/v1/contacts/{id}/merge": Entry(
            access: .partyDelete,
            call: { w, _, _ in Call(path: "/api/v1/contacts/\(w.contact.id)/merge", json: ["from": Int(w.twinContact.id.rawValue)]) }),
        "POST /api/v1/companies/{id}/merge": Entry(
            access: .partyDelete,
            call: { w, _, _ in Call(path: "/api/v1/companies/\(w.company.id)/merge", json: ["from": Int(w.twinCompany.id.rawValue)]) }),
        "GET /api/v1/companies": Entry(access: .anyUser, call: simple("/api/v1/companies")),
        "POST /api/v1/companies": Entry(access: .partyWrite, call: body("/api/v1/companies", ["name": "ООО Лютик"])),
        "GET /api/v1/companies/{id}": Entry(access: .anyUser, call: { w, _, _ in Call(path: "/api/v1/companies/\(w.company.id)") }),
        "PATCH /api/v1/companies/{id}": Entry(
            access: .partyWrite, call: { w, _, _ in Call(path: "/api/v1/companies/\(w.company.id)", json: ["name": "ООО Ромашка-2"]) }),
        "DELETE /api/v1/companies/{id}": Entry(access: .partyDelete, call: { w, _, _ in Call(path: "/api/v1/companies/\(w.company.id)") }),

        "GET /api/v1/users": Entry(access: .anyUser, call: simple("/api/v1/users")),
        "POST /api/v1/users": Entry(
            access: .admin, call: body("/api/v1/users", ["email": "new@matrix.test", "name": "Новый", "role": "manager"])),
        "GET /api/v1/users/{id}": Entry(access: .anyUser, call: { w, _, _ in Call(path: "/api/v1/users/\(w.colleague.id)") }),
        "PATCH /api/v1/users/{id}": Entry(
            access: .admin, call: { w, _, _ in Call(path: "/api/v1/users/\(w.colleague.id)", json: ["name": "Коллега"]) }),
        "PUT /api/v1/users/{id}/password": Entry(
            access: .ownPassword,
            call: { w, a, o in
                let target = o == .own || o == .closed ? w.user(a) : w.colleague
                return Call(
                    path: "/api/v1/users/\(target.id)/password",
                    json: ["password": "a-brand-new-passphrase", "currentPassword": AccessWorld.password])
            }),
        "GET /api/v1/users/{id}/grants": Entry(access: .admin, call: { w, _, _ in Call(path: "/api/v1/users/\(w.colleague.id)/grants") }),
        "PUT /api/v1/users/{id}/grants": Entry(
            access: .admin,
            call: { w, _, _ in
                Call(path: "/api/v1/users/\(w.colleague.id)/grants", json: ["grants": [["pipeline": "sales", "level": "read_all"]]])
            }),
        "GET /api/v1/users/{id}/tokens": Entry(access: .admin, call: { w, _, _ in Call(path: "/api/v1/users/\(w.colleague.id)/tokens") }),
        "POST /api/v1/users/{id}/password-link": Entry(
            access: .admin, call: { w, _, _ in Call(path: "/api/v1/users/\(w.colleague.id)/password-link", json: ["reset": false]) }),
        "GET /api/v1/tokens": Entry(access: .anyUser, call: simple("/api/v1/tokens")),
        "POST /api/v1/tokens": Entry(access: .anyUser, call: body("/api/v1/tokens", ["name": "script", "scope": "read"])),
        "DELETE /api/v1/tokens/{id}": Entry(
            access: .ownToken,
            call: { w, _, o in Call(path: "/api/v1/tokens/\(o == .own || o == .closed ? w.ownTokenID : w.colleagueTokenID)") }),
        "GET /api/v1/audit": Entry(access: .admin, call: simple("/api/v1/audit")),
        "POST /api/v1/inbound/{source}": Entry(
            access: .publicRoute,
            call: { _, _, _ in
                Call(
                    path: "/api/v1/inbound/site", json: ["name": "Гость", "phone": "+7 900 000-00-01"],
                    headers: ["X-Inbound-Secret": AccessWorld.inboundSecret])
            }),
        "GET /api/v1/pipelines/{key}/lint": Entry(access: .admin, call: simple("/api/v1/pipelines/sales/lint")),
        "POST /api/v1/lint": Entry(
            access: .admin,
            call: { _, _, _ in
                Call(
                    path: "/api/v1/lint",
                    raw: #"{"key":"draft","name":{"ru":"Черновик","en":"Draft"},"stages":[{"key":"a","name":{"ru":"А","en":"A"},"kind":"process"},"#
                        + #"{"key":"won","name":{"ru":"Успех","en":"Won"},"kind":"conversion","outcome":"won"},"#
                        + #"{"key":"lost","name":{"ru":"Дорого","en":"Too expensive"},"kind":"conversion","outcome":"lost"}]}"#)
            }),
        "GET /api/v1/presets": Entry(access: .anyUser, call: simple("/api/v1/presets")),
        "GET /api/v1/presets/{name}": Entry(access: .anyUser, call: simple("/api/v1/presets/nurturing")),
        "POST /api/v1/presets/{name}/apply": Entry(access: .admin, call: { _, _, _ in Call(path: "/api/v1/presets/nurturing/apply") }),
        "GET /api/v1/channels": Entry(access: .admin, call: simple("/api/v1/channels")),
        "POST /api/v1/channels": Entry(
            access: .admin,
            call: body("/api/v1/channels", ["name": "whatsapp", "kind": "messenger", "url": "http://127.0.0.1:9/wa", "unsubscribeText": "0"])),
        // Signed by a secret, not a credential: an unsigned request is 401 for everyone, which the class `open` rejects, so
        // these calls are signed with a wrong key and must not reach a handler's effect (404: no such channel or token).
        "POST /api/v1/channels/{name}/messages": Entry(
            access: .publicRoute,
            call: { _, _, _ in
                Call(
                    path: "/api/v1/channels/nope/messages", json: ["from": "+79000000001", "text": "1"],
                    headers: ["webhook-id": "m1", "webhook-timestamp": "0", "webhook-signature": "v1,x"])
            }),
        "POST /api/v1/callbacks/{token}": Entry(
            access: .publicRoute,
            call: { _, _, _ in
                Call(
                    path: "/api/v1/callbacks/cb_unknown", json: ["result": "approved"],
                    headers: ["webhook-id": "m1", "webhook-timestamp": "0", "webhook-signature": "v1,x"])
            }),
        "GET /api/v1/inbound-sources": Entry(access: .admin, call: simple("/api/v1/inbound-sources")),
        "POST /api/v1/inbound-sources": Entry(access: .admin, call: body("/api/v1/inbound-sources", ["key": "landing", "pipeline": "sales"])),
        "DELETE /api/v1/inbound-sources/{key}": Entry(access: .admin, call: simple("/api/v1/inbound-sources/site")),
        "GET /api/v1/webhooks": Entry(access: .admin, call: simple("/api/v1/webhooks")),
        "POST /api/v1/webhooks": Entry(
            access: .admin, call: body("/api/v1/webhooks", ["name": "crm_sync", "url": "http://127.0.0.1:9/sync", "events": ["deal.won"]])),
        "DELETE /api/v1/webhooks/{id}": Entry(access: .admin, call: { w, _, _ in Call(path: "/api/v1/webhooks/\(w.webhook)") }),
        "GET /api/v1/webhook-messages": Entry(access: .admin, call: simple("/api/v1/webhook-messages?status=pending")),
        "POST /api/v1/webhook-messages/{id}/replay": Entry(
            access: .admin, call: { w, _, _ in Call(path: "/api/v1/webhook-messages/\(w.message)/replay") }),
        "GET /api/v1/dead-letters": Entry(access: .admin, call: simple("/api/v1/dead-letters")),
        "POST /api/v1/dead-letters/timers/{id}/requeue": Entry(
            access: .admin, call: { w, _, _ in Call(path: "/api/v1/dead-letters/timers/\(w.parkedTimer)/requeue") }),
        // An upload whose column nobody mapped: past access control it is refused (422) before any job is made.
        "POST /api/v1/imports": Entry(access: .admin, call: { _, _, _ in upload }),
        "POST /api/v1/imports/preview": Entry(
            access: .admin, call: { _, _, _ in Call(path: "/api/v1/imports/preview", raw: upload.raw, headers: upload.headers) }),
        "GET /api/v1/imports": Entry(access: .admin, call: simple("/api/v1/imports")),
        "GET /api/v1/imports/{id}": Entry(access: .admin, call: { w, _, _ in Call(path: "/api/v1/imports/\(w.importJob)") }),
        "GET /api/v1/imports/{id}/errors": Entry(access: .admin, call: { w, _, _ in Call(path: "/api/v1/imports/\(w.importJob)/errors") }),
    ]

    static let upload = Call(
        path: "/api/v1/imports",
        raw:
            "--matrix\r\nContent-Disposition: form-data; name=\"file\"; filename=\"deals.csv\"\r\n\r\nid,title,Unknown\r\n1,Desk,x\r\n--matrix--\r\n",
        headers: ["Content-Type": "multipart/form-data; boundary=matrix"])

    static func report(_ name: String) -> @Sendable (AccessWorld, Acting, Ownership) -> Call {
        { _, _, o in Call(path: "/api/v1/pipelines/\(pipeline(o))/reports/\(name)") }
    }

    /// The router's own table, as `METHOD /path` with `{name}` for every parameter.
    static func routerTable() async throws -> [(method: String, path: String)] {
        let t = try await TestServices.make(.sqliteMemory)
        defer { Task { try? await t.close() } }
        return try buildRouter(t.services).routes.map { route in
            let path = route.path.description.split(separator: "/").map { part in
                part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
            }.joined(separator: "/")
            return (route.method.rawValue, "/" + path)
        }
    }

    @Test func everyRouteHasAnEntry() async throws {
        let table = try await Self.routerTable()
        let missing = table.map { "\($0.method) \($0.path)" }.filter { Self.routes[$0] == nil }
        #expect(missing.isEmpty, "routes without an entry in the authorization matrix: \(missing)")
        let stale = Set(Self.routes.keys).subtracting(table.map { "\($0.method) \($0.path)" })
        #expect(stale.isEmpty, "matrix entries for routes that do not exist: \(stale.sorted())")
    }

    static var cases: [(String, Acting)] { routes.keys.sorted().flatMap { route in Acting.allCases.map { (route, $0) } } }

    @Test(arguments: cases)
    func routeAnswersAsTheRulesSay(route: String, acting: Acting) async throws {
        let entry = try #require(Self.routes[route])
        let method = String(route.split(separator: " ")[0])
        for ownership in Ownership.allCases {
            let world = try await AccessWorld.make(acting: acting)
            let expected = entry.access.expected(acting, ownership)
            let status = try await world.t.services.store.closing { _ in
                try await world.t.withAPI(anonymous: true) { api in
                    let call = entry.call(world, acting, ownership)
                    let client = api.with(token: world.tokens[acting])
                    let response = try await client.request(
                        .init(method)!, call.path, json: call.json, raw: call.raw, headers: call.headers)
                    return (response.status, response.ruleList, response.fieldList)
                }
            }
            let ok: Bool
            switch expected {
            case .allow: ok = ![401, 403, 404].contains(status.0) && status.0 < 500
            case .open: ok = ![401, 403].contains(status.0) && status.0 < 500
            case .unauthenticated: ok = status.0 == 401
            case .forbidden: ok = status.0 == 403
            case .hidden: ok = status.0 == 404
            case .unknownPipeline: ok = status.0 == 422 && status.1.contains("unknownReference") && status.2.contains("pipeline")
            }
            #expect(ok, "\(route) as \(acting.rawValue) on \(ownership.rawValue): expected \(expected.rawValue), got \(status.0) \(status.1)")
        }
    }
}
