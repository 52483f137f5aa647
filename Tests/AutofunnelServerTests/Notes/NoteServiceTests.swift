import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import AutofunnelTestSupport
import Testing

/// Notes as the guides' managers use them: written on a deal, contact or company, changed by the author within 15
/// minutes (then a record), pinned by whoever may change the record, and `@mentions` that reach colleagues who may see it.
@Suite("Notes: the 15 minutes, pins and mentions")
struct NoteServiceTests {
    func principal(_ t: TestServices, _ user: User) async throws -> Principal {
        try #require(try await t.services.auth.principal(user.id, scope: .admin, credential: .session))
    }

    /// The notes service, a deal the manager is responsible for, and the manager signed in.
    func managersDeal(_ t: TestServices) async throws -> (NoteService, Deal, Principal) {
        let deal = try await t.services.deals.create(
            pipeline: "sales", stage: nil, input: DealInput(title: "Шкаф", responsible: t.manager.id), actor: Actor(kind: .api))
        return (t.services.notes, deal, try await principal(t, t.manager))
    }

    @Test(arguments: StoreTarget.available)
    func onlyTheAuthorChangesANoteAndOnlyWithinFifteenMinutes(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let (notes, deal, manager) = try await managersDeal(t)
            let note = try await notes.add(to: .deal(deal.id), text: "Клиент просил зеркало", principal: manager)
            t.clock.advance(millis: 14 * 60_000)
            let edited = try await notes.change(note.id, text: "Клиент просил зеркало во всю дверь", pinned: nil, principal: manager)
            #expect(edited.text == "Клиент просил зеркало во всю дверь" && edited.editedAt != nil)

            // Someone else's note is a record: the head of sales and the admin may not change its text.
            for other in [t.head, t.admin] {
                await #expect(throws: AppError.self) {
                    try await notes.change(note.id, text: "Исправлено", pinned: nil, principal: try await principal(t, other))
                }
            }
            t.clock.advance(millis: 60_000 + 1)
            do {
                _ = try await notes.change(note.id, text: "Поздно", pinned: nil, principal: manager)
                Issue.record("a change after 15 minutes was accepted")
            } catch AppError.conflict {}
            let stored = try await t.services.store.read { s in try await s.note(note.id) }
            #expect(stored.text == "Клиент просил зеркало во всю дверь")
            let kinds = try await t.services.store.read { s in try await s.timeline(deal: deal.id) }.map(\.kind)
            #expect(kinds.filter { $0.hasPrefix("note") } == ["note", "note_edited"])
        }
    }

    @Test(arguments: StoreTarget.available)
    func whoeverMayChangeTheRecordPinsAndPinnedNotesComeFirst(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let (notes, deal, manager) = try await managersDeal(t)
            let first = try await notes.add(to: .deal(deal.id), text: "Первая", principal: manager)
            _ = try await notes.add(to: .deal(deal.id), text: "Вторая", principal: manager)
            // The head of sales pins the manager's note (long after): pins are not text changes.
            t.clock.advance(millis: 3_600_000)
            let pinned = try await notes.change(first.id, text: nil, pinned: true, principal: try await principal(t, t.head))
            #expect(pinned.pinned && pinned.editedAt == nil)
            #expect(try await notes.notes(of: .deal(deal.id), principal: manager).map(\.text) == ["Первая", "Вторая"])
            let observer = try await t.user("observer@example.com", role: .observer)
            await #expect(throws: AppError.self) {
                try await notes.change(first.id, text: nil, pinned: false, principal: try await principal(t, observer))
            }
            let timeline = try await t.services.store.read { s in try await s.timeline(deal: deal.id) }
            #expect(timeline.last?.kind == "note_pinned" && timeline.last?.actor?.userID == t.head.id)

            // Contacts: any writer adds and pins; the list comes pinned first, then newest first.
            let contact = try await t.contact()
            let a = try await notes.add(to: .contact(contact.id), text: "Любит звонки", principal: manager)
            t.clock.advance(millis: 1000)
            _ = try await notes.add(to: .contact(contact.id), text: "Не звонить до 10", principal: manager)
            _ = try await notes.change(a.id, text: nil, pinned: true, principal: manager)
            #expect(try await notes.notes(of: .contact(contact.id), principal: manager).map(\.text) == ["Любит звонки", "Не звонить до 10"])
            await #expect(throws: AppError.self) {
                try await notes.add(to: .contact(contact.id), text: "Наблюдаю", principal: try await principal(t, observer))
            }
        }
    }

    @Test(arguments: StoreTarget.available)
    func aMentionReachesOnlyColleaguesWhoSeeTheRecord(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let (notes, deal, manager) = try await managersDeal(t)
            // Another manager sees only their own deals: mentioned on this one, they get nothing.
            let petr = try await t.user("petr@example.com", role: .manager)
            let note = try await notes.add(
                to: .deal(deal.id), text: "@head посмотрите скидку, @petr тоже, и я сам @manager. Почта: x@head.example", principal: manager)
            func mentions(_ user: User) async throws -> [Notice] {
                try await t.services.store.read { s in try await s.notices(user: user.id, unreadOnly: true) }.filter { $0.kind == "mentioned" }
            }
            let toHead = try await mentions(t.head)
            #expect(toHead.count == 1 && toHead.first?.deal == deal.id)
            #expect(toHead.first?.text(ru: true).contains("посмотрите скидку") == true)
            #expect(toHead.first?.text(ru: false).contains("mentioned you in a note on deal 'Шкаф'") == true)
            #expect(try await mentions(petr).isEmpty)
            #expect(try await mentions(t.manager).isEmpty)

            // An edit notifies only who is newly mentioned.
            _ = try await notes.change(note.id, text: note.text + " @admin", pinned: nil, principal: manager)
            #expect(try await mentions(t.head).count == 1)
            #expect(try await mentions(t.admin).count == 1)

            // Everyone sees contacts: a mention on a contact's note reaches the other manager.
            let contact = try await t.contact()
            _ = try await notes.add(to: .contact(contact.id), text: "@petr@example.com, это ваш клиент", principal: manager)
            let toPetr = try await mentions(petr)
            #expect(toPetr.count == 1 && toPetr.first?.deal == nil && toPetr.first?.text(ru: true).contains("контакт «Анна»") == true)
        }
    }

    @Test func mentionsAreFoundAsDocumented() {
        let users = [
            User(id: UserID(1), email: "ivan@example.com", name: "Иван", locale: .ru, createdAt: Fixtures.t0),
            User(id: UserID(2), email: "anna@a.example", name: "Анна А", locale: .ru, createdAt: Fixtures.t0),
            User(id: UserID(3), email: "anna@b.example", name: "Анна Б", locale: .ru, createdAt: Fixtures.t0),
            User(id: UserID(4), email: "old@example.com", name: "Ушёл", locale: .ru, active: false, createdAt: Fixtures.t0),
        ]
        let text = "Привет, @Ivan. Пишите на ivan@example.com; @anna неоднозначно, @anna@b.example нет; @old ушёл; (@ivan) @"
        #expect(Mentions.find(in: text).map(\.handle) == ["ivan", "anna", "anna@b.example", "old", "ivan"])
        #expect(Mentions.users(in: text, among: users).map(\.id) == [UserID(1), UserID(3)])
        let marked = Mentions.segments(text, among: users).filter(\.mention).map(\.text)
        #expect(marked == ["@Ivan", "@anna@b.example", "@ivan"])
        #expect(Mentions.segments(text, among: users).map(\.text).joined() == text)
    }
}
