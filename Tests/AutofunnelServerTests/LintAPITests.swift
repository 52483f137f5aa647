import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

@Suite("The funnel linter through the API and the settings page")
struct LintAPITests {
    static let password = "a-long-enough-passphrase"

    @Test func storedPipelinesAreLintedWithTheirDataAndFilesBeforeTheyApply() async throws {
        try await TestServices.with { t in
            let contact = try await t.contact()
            for _ in 0..<3 {
                _ = try await t.services.deals.create(
                    pipeline: "sales", stage: "processing_request", input: t.completeInput(contact: contact), actor: Actor(kind: .user))
            }
            // The fixture's "processing request" allows one day: three days later its deals are hoarded (mistake 14).
            t.clock.advance(millis: 3 * 86_400_000)
            try await t.withAPI { api in
                let stored = try await api.request(.get, "/api/v1/pipelines/sales/lint")
                #expect(stored.status == 200)
                let findings = try #require(stored.object["findings"] as? [[String: Any]])
                let rules = Set(findings.compactMap { $0["rule"] as? String })
                #expect(rules.contains("stage-without-task") && rules.contains("no-warming-messages"))
                #expect(
                    findings.contains { $0["rule"] as? String == "hoarded-deals" && ($0["location"] as? String ?? "").hasPrefix("sales.stages.") })
                let task = try #require(findings.first { $0["rule"] as? String == "stage-without-task" })
                #expect(task["mistake"] as? Int == 1 && (task["message"] as? [String: String])?["ru"]?.isEmpty == false)
                #expect(try await api.request(.get, "/api/v1/pipelines/nope/lint").status == 404)

                let loop = """
                    key: looping
                    name: {ru: Цикл, en: Loop}
                    stages:
                    - {key: a, name: {ru: Заявка получена, en: Request received}, kind: conversion}
                    - {key: b, name: {ru: КП отправлено, en: Proposal sent}, kind: conversion}
                    - {key: won, name: {ru: Оплата получена, en: Paid}, kind: conversion, outcome: won}
                    - {key: lost, name: {ru: Дорого, en: Too expensive}, kind: conversion, outcome: lost}
                    automations:
                    - {key: ab, trigger: {on: stage_entered, stage: a}, actions: [{do: move, stage: b}]}
                    - {key: ba, trigger: {on: stage_entered, stage: b}, actions: [{do: move, stage: a}]}
                    """
                let draft = try await api.request(.post, "/api/v1/lint", raw: loop, headers: ["Content-Type": "application/yaml"])
                #expect(draft.status == 200 && (draft.object["errors"] as? Int ?? 0) >= 1)
                let draftRules = (draft.object["findings"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }
                #expect(draftRules.contains("automation-loop"))
                #expect(try await t.services.store.read { s in try await s.pipeline("looping") } == nil, "linting applies nothing")
                let broken = try await api.request(
                    .post, "/api/v1/lint", raw: "key: x\nname: {ru: X, en: X}\nstages: []\n", headers: ["Content-Type": "application/yaml"])
                #expect(broken.status == 422, "a file that does not validate is refused with its problems")
            }
        }
    }

    @Test func presetsAreListedExportedAndAppliedThroughTheAPI() async throws {
        try await TestServices.with(sales: false) { t in
            try await t.withAPI { api in
                let list = try await api.request(.get, "/api/v1/presets")
                let names = (list.object["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                #expect(names.prefix(2) == ["sales-002", "nurturing"] && names.contains("claims") && names.count == Presets.names().count)
                let yaml = try await api.request(.get, "/api/v1/presets/claims")
                #expect(yaml.status == 200 && yaml.text.contains("key: claims"))
                #expect(try await api.request(.get, "/api/v1/presets/nope").status == 404)
                for name in names {
                    let applied = try await api.request(.post, "/api/v1/presets/\(name)/apply")
                    #expect(applied.status == 200, "\(name): \(applied.text)")
                }
            }
            #expect(try await t.services.store.read { s in try await s.pipelines() }.count == Presets.names().count)
        }
    }

    @Test func theSettingsPageShowsFindingsToAdminsOnly() async throws {
        try await TestServices.with { t in
            _ = try await t.user("boss@example.com", role: .admin, password: Self.password)
            _ = try await t.user("seller@example.com", role: .manager, password: Self.password)
            try await t.withAPI(anonymous: true) { api in
                let anonymous = try await api.request(.get, "/settings")
                #expect(anonymous.status == 303)
                let admin = try await api.request(.post, "/api/v1/session", json: ["email": "boss@example.com", "password": Self.password])
                let cookie = try #require(admin.headers[.setCookie]?.split(separator: ";").first.map(String.init))
                let page = try await api.request(.get, "/settings", headers: ["Cookie": cookie])
                #expect(page.status == 200 && page.text.contains("stage-without-task") && page.text.contains("<code>sales."))
                let seller = try await api.request(.post, "/api/v1/session", json: ["email": "seller@example.com", "password": Self.password])
                let sellerCookie = try #require(seller.headers[.setCookie]?.split(separator: ";").first.map(String.init))
                #expect(try await api.request(.get, "/settings", headers: ["Cookie": sellerCookie]).status == 403)
            }
        }
    }
}
