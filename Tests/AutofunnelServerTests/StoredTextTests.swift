import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// Every text a user stores is refused with a NUL character (U+0000) — SQLite would cut it there and PostgreSQL
/// refuses it — naming the field, the same on both databases; and blank means "only invisible characters" wherever
/// text is required (issue 16, point 7).
@Suite("Stored text: NUL refused, invisible text blank")
struct StoredTextTests {
    let api = Actor(kind: .api)
    static let nul = "до\u{0}после"

    /// The fields of the refusal `body` threw, or a recorded issue when it did not refuse.
    func refusedFields(_ body: () async throws -> Void) async -> [String] {
        do {
            try await body()
            Issue.record("a text with NUL was accepted")
        } catch AppError.refused(let violations) {
            return violations.compactMap(\.field)
        } catch {
            Issue.record("expected a refusal, got \(error)")
        }
        return []
    }

    @Test(arguments: StoreTarget.available)
    func everyStoredTextRefusesNul(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let deals = t.services.deals
            let parties = t.services.parties
            let nul = Self.nul
            let actor = api
            #expect(
                await refusedFields { _ = try await deals.create(pipeline: "sales", stage: nil, input: DealInput(title: nul), actor: actor) } == [
                    "title"
                ])
            #expect(
                await refusedFields {
                    _ = try await deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Шкаф", source: nul), actor: actor)
                } == ["source"])
            #expect(
                await refusedFields {
                    _ = try await deals.create(
                        pipeline: "sales", stage: nil, input: DealInput(title: "Шкаф", fields: ["subject": .string(nul)]), actor: actor)
                } == ["fields.subject"])
            let deal = try await deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Шкаф"), actor: actor)
            #expect(await refusedFields { _ = try await deals.update(deal.id, input: DealInput(title: nul), actor: actor) } == ["title"])
            #expect(await refusedFields { _ = try await deals.addNote(deal: deal.id, text: nul, actor: actor, principal: nil) } == ["text"])
            let due = Fixtures.t0.adding(millis: 86_400_000)
            #expect(
                await refusedFields {
                    _ = try await deals.createTask(deal: deal.id, title: nul, text: nil, dueAt: due, assignee: nil, principal: nil)
                } == ["title"])
            #expect(
                await refusedFields {
                    _ = try await deals.createTask(deal: deal.id, title: "Позвонить", text: nul, dueAt: due, assignee: nil, principal: nil)
                } == ["text"])
            let task = try await deals.createTask(deal: deal.id, title: "Позвонить", text: nil, dueAt: due, assignee: nil, principal: nil)
            #expect(await refusedFields { _ = try await deals.completeTask(task.id, result: nul, principal: nil) } == ["result"])
            #expect(await refusedFields { _ = try await parties.createContact(.init(name: nul)) } == ["name"])
            #expect(
                await refusedFields { _ = try await parties.createContact(.init(name: "Анна", emails: ["anna\u{0}@example.com"])) } == ["emails[0]"])
            #expect(await refusedFields { _ = try await parties.createCompany(name: nul, fields: nil) } == ["name"])
            #expect(
                await refusedFields { _ = try await deals.close(deal.id, won: false, reason: "too_expensive", comment: nul, actor: actor) } == [
                    "lossComment"
                ])
            _ = try await deals.close(deal.id, won: false, reason: "spam", comment: nil, actor: actor)
            #expect(await refusedFields { _ = try await deals.reopen(deal.id, reason: nul, stage: nil, actor: actor) } == ["reason"])
            // Nothing was stored on the way.
            let (stored, notes, timeline) = try await t.services.store.read { s in
                (try await s.deal(deal.id), try await s.notes(deal: deal.id), try await s.timeline(deal: deal.id))
            }
            #expect(stored.title == "Шкаф" && stored.status == .lost && notes.isEmpty)
            #expect(!timeline.contains { ($0.text ?? "").utf8.contains(0) || ($0.new ?? "").utf8.contains(0) })
        }
    }

    @Test(arguments: StoreTarget.available)
    func theAPIAnswers422NamingTheField(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            try await t.withAPI { api in
                let title = try await api.request(.post, "/api/v1/deals", json: ["pipeline": "sales", "title": Self.nul])
                #expect(title.status == 422 && title.fieldList == ["title"], "\(title.text)")
                let made = try await api.request(.post, "/api/v1/deals", json: ["pipeline": "sales", "title": "Шкаф"])
                let id = try #require(made.object["id"] as? Int)
                let note = try await api.request(.post, "/api/v1/deals/\(id)/notes", json: ["text": "заметка\u{0}хвост"])
                #expect(note.status == 422 && note.fieldList == ["text"], "\(note.text)")
                let notes = try await api.request(.get, "/api/v1/deals/\(id)/notes")
                #expect((notes.object["items"] as? [Any])?.isEmpty == true, "\(notes.text)")
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func anInvisibleLossCommentIsMissingOnEveryPath(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: DealInput(title: "Шкаф"), actor: api)
            for comment in ["\u{200B}", "\u{2060}\u{FEFF}", "\u{00A0}\u{200B}\u{3000}", "\u{200D}\u{180E}"] {
                await #expect(throws: AppError.self) {
                    try await t.services.deals.close(deal.id, won: false, reason: "too_expensive", comment: comment, actor: api)
                }
                await #expect(throws: AppError.self) {
                    try await t.services.deals.move(deal.id, to: "too_expensive", lossComment: comment, actor: api)
                }
            }
            #expect(try await t.services.store.read { s in try await s.deal(deal.id) }.status == .open)
            try await t.withAPI { api in
                let r = try await api.request(
                    .post, "/api/v1/deals/\(deal.id)/close", json: ["result": "lost", "reason": "too_expensive", "comment": "\u{200B}\u{200B}"])
                #expect(r.status == 422 && r.ruleList == ["lossCommentRequired"], "\(r.text)")
            }
            let lost = try await t.services.deals.close(
                deal.id, won: false, reason: "too_expensive", comment: "\u{200B}Нашли дешевле\u{FEFF}", actor: api)
            #expect(lost.lossComment == "Нашли дешевле")
        }
    }
}
