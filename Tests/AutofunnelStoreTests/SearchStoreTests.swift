import AutofunnelCore
import AutofunnelTestSupport
import Testing

@testable import AutofunnelStore

/// Search through the index: every store path that writes a deal title, a contact or a company keeps it right, on
/// every database, with the same answers for the same data.
@Suite("Search index on every database")
struct SearchStoreTests {
    static let everything = SearchScope(
        deals: DealScope(user: UserID(1), everyPipeline: true, allOf: [], ownOf: [], lostOnly: false), contactDetails: true, companyDetails: true)

    func search(_ store: Store, _ text: String, scope: SearchScope = everything, limit: Int = 50) async throws -> SearchResults {
        guard let terms = SearchTerms(text) else { return .empty }
        return try await store.read { s in try await s.search(terms, scope: scope, limit: limit) }
    }

    func titles(_ store: Store, _ text: String, scope: SearchScope = everything) async throws -> [String] {
        try await search(store, text, scope: scope).deals.map(\.title)
    }

    func names(_ store: Store, _ text: String, scope: SearchScope = everything) async throws -> [String] {
        try await search(store, text, scope: scope).contacts.map(\.name)
    }

    func companies(_ store: Store, _ text: String, scope: SearchScope = everything) async throws -> [String] {
        try await search(store, text, scope: scope).companies.map(\.name)
    }

    func deal(_ title: String, _ lineage: String, responsible: UserID? = nil, contact: ContactID? = nil) -> Deal {
        Deal(
            id: DealID(0), lineage: LineageID(lineage), pipeline: "sales", stage: "new_lead", title: title, responsible: responsible,
            contact: contact, createdAt: Fixtures.t0)
    }

    @Test(arguments: StoreTarget.available)
    func dealTitlesAreFoundThroughEveryWritePath(target: StoreTarget) async throws {
        try await target.withStore { store in
            let one = try await store.write { s in try await s.insertDeal(deal("Шкаф-купе для Ёлкиных", "a")) }
            let bulk = try await store.write { s in
                try await s.bulkInsertDeals([deal("Кухня Иванова", "b"), deal("Kitchen for IVANOV", "c")])
            }
            _ = try await store.write { s in try await s.bulkInsertDeals([deal("Стол Иванову", "d")], enteredMasks: [0]) }
            // Case and «ё» are folded; a word is found inside a longer one.
            #expect(try await titles(store, "елкиных") == ["Шкаф-купе для Ёлкиных"])
            #expect(try await titles(store, "ИВАНОВ") == ["Стол Иванову", "Кухня Иванова"])
            #expect(try await titles(store, "ivanov") == ["Kitchen for IVANOV"])
            #expect(try await titles(store, "шкаф купе") == ["Шкаф-купе для Ёлкиных"])
            #expect(try await titles(store, "шкаф стол").isEmpty)

            // A title change through the move path and through a plain update; a move that keeps the title keeps the index.
            var renamed = one
            renamed.title = "Гардероб Петровых"
            renamed.stage = "processing_request"
            let entry = StageLogEntry(entering: renamed, from: one.stage, actor: Actor(kind: .api), cause: "move", at: Fixtures.t0)
            try await store.write { [renamed] s in try await s.record(renamed, previous: one, stageLog: entry, actor: entry.actor, at: Fixtures.t0) }
            #expect(try await titles(store, "елкиных").isEmpty)
            #expect(try await titles(store, "петровых") == ["Гардероб Петровых"])
            var kitchen = bulk[1]
            kitchen.title = "Kitchen for Sidorov"
            try await store.write { [kitchen] s in try await s.updateDeal(kitchen) }
            #expect(try await titles(store, "ivanov").isEmpty)
            #expect(try await titles(store, "SIDOROV") == ["Kitchen for Sidorov"])
            var moved = bulk[0]
            moved.stage = "processing_request"
            try await store.write { [moved] s in try await s.updateDeal(moved) }
            #expect(try await titles(store, "кухня") == ["Кухня Иванова"])

            // A deleted deal is not found.
            try await store.write { s in try await s.deleteDeal(bulk[0].id, at: Fixtures.t0) }
            #expect(try await titles(store, "иванов") == ["Стол Иванову"])
        }
    }

    @Test(arguments: StoreTarget.available)
    func contactsAreFoundByNamePhoneDigitsAndEmail(target: StoreTarget) async throws {
        try await target.withStore { store in
            let anna = try await store.write { s in
                try await s.insertContact(
                    Contact(
                        id: ContactID(0), name: "Анна Ёжикова", phones: ["+7 (916) 123-45-67"], emails: ["Anna@Example.COM"], createdAt: Fixtures.t0))
            }
            _ = try await store.write { s in
                try await s.bulkInsertContacts([
                    Contact(id: ContactID(0), name: "Boris", phones: ["8-495-000-11-22"], createdAt: Fixtures.t0),
                    Contact(id: ContactID(0), name: "Виктор 916", createdAt: Fixtures.t0),
                ])
            }
            for typed in ["9161234567", "916 123", "+7 916 123 45 67", "8 (916) 123-45-67", "(916)123"] {
                #expect(try await names(store, typed) == ["Анна Ёжикова"], "\(typed)")
            }
            #expect(try await names(store, "74950001122") == ["Boris"])
            #expect(try await names(store, "anna@example") == ["Анна Ёжикова"])
            #expect(try await names(store, "ЕЖИКОВА") == ["Анна Ёжикова"])
            #expect(try await names(store, "916") == ["Виктор 916", "Анна Ёжикова"])
            // A role that may not see phones and e-mails finds contacts by name only.
            var nameOnly = Self.everything
            nameOnly.contactDetails = false
            #expect(try await names(store, "916", scope: nameOnly) == ["Виктор 916"])
            #expect(try await names(store, "anna@example", scope: nameOnly).isEmpty)
            #expect(try await names(store, "анна", scope: nameOnly) == ["Анна Ёжикова"])

            var changed = anna
            changed.name = "Анна Smith"
            changed.phones = ["+1 212 555 0100"]
            try await store.write { [changed] s in try await s.updateContact(changed) }
            #expect(try await names(store, "9161234567").isEmpty)
            #expect(try await names(store, "212555").map { $0 } == ["Анна Smith"])
            #expect(try await names(store, "ежикова").isEmpty)
            try await store.write { s in try await s.softDelete(.contacts, id: anna.id.rawValue, at: Fixtures.t0) }
            #expect(try await names(store, "smith").isEmpty)
        }
    }

    @Test(arguments: StoreTarget.available)
    func companiesAreFoundByNameAndTaxID(target: StoreTarget) async throws {
        try await target.withStore { store in
            let horns = try await store.write { s in
                try await s.insertCompany(
                    Company(id: CompanyID(0), name: "ООО «Рога и копыта»", fields: ["tax_id": .string("7707083893")], createdAt: Fixtures.t0))
            }
            _ = try await store.write { s in
                try await s.insertCompany(Company(id: CompanyID(0), name: "Acme", fields: ["inn": .number(500_100_732_259)], createdAt: Fixtures.t0))
            }
            #expect(try await companies(store, "рога") == ["ООО «Рога и копыта»"])
            #expect(try await companies(store, "770708") == ["ООО «Рога и копыта»"])
            #expect(try await companies(store, "500100732259") == ["Acme"])
            var nameOnly = Self.everything
            nameOnly.companyDetails = false
            #expect(try await companies(store, "770708", scope: nameOnly).isEmpty)
            var renamed = horns
            renamed.name = "Копыта"
            renamed.fields = [:]
            try await store.write { [renamed] s in try await s.updateCompany(renamed) }
            #expect(try await companies(store, "рога").isEmpty)
            #expect(try await companies(store, "770708").isEmpty)
            #expect(try await companies(store, "КОПЫТА") == ["Копыта"])
            try await store.write { s in try await s.softDelete(.companies, id: horns.id.rawValue, at: Fixtures.t0) }
            #expect(try await companies(store, "копыта").isEmpty)
        }
    }

    @Test(arguments: StoreTarget.available)
    func dealsAreLimitedToTheCallersScopeAndToTheLimit(target: StoreTarget) async throws {
        try await target.withStore { store in
            _ = try await store.write { s in
                try await s.bulkInsertDeals((0..<7).map { i in deal("Заказ \(i)", "l\(i)", responsible: UserID(i % 2 == 0 ? 5 : 6)) })
            }
            let own = SearchScope(
                deals: DealScope(user: UserID(5), everyPipeline: false, allOf: [], ownOf: ["sales"], lostOnly: false), contactDetails: true,
                companyDetails: true)
            #expect(try await titles(store, "заказ", scope: own) == ["Заказ 6", "Заказ 4", "Заказ 2", "Заказ 0"])
            let none = SearchScope(
                deals: DealScope(user: UserID(5), everyPipeline: false, allOf: [], ownOf: [], lostOnly: false), contactDetails: true,
                companyDetails: true)
            #expect(try await titles(store, "заказ", scope: none).isEmpty)
            let limited = try await search(store, "заказ", limit: 3)
            #expect(limited.deals.map(\.title) == ["Заказ 6", "Заказ 5", "Заказ 4"])
            #expect(limited.moreDeals)
            #expect(try await !search(store, "заказ", limit: 7).moreDeals)
            // Words shorter than the index's trigrams still narrow, and alone are answered by reading the rows.
            #expect(try await titles(store, "заказ 3") == ["Заказ 3"])
            #expect(try await titles(store, "5") == ["Заказ 5"])
            // LIKE's wildcards are plain characters in a query.
            #expect(try await titles(store, "%").isEmpty)
            #expect(try await titles(store, "за_аз").isEmpty)
        }
    }

    @Test(arguments: StoreTarget.available)
    func theBoardFilterFindsTitlesAndContactNamesThroughTheIndex(target: StoreTarget) async throws {
        try await target.withStore { store in
            let ivan = try await store.write { s in try await s.insertContact(Contact(id: ContactID(0), name: "Иван Грозный", createdAt: Fixtures.t0))
            }
            _ = try await store.write { s in
                try await s.bulkInsertDeals([deal("Окна", "w", contact: ivan.id), deal("Двери ГРОЗНОГО", "x"), deal("Крыша", "y")])
            }
            let column = { (text: String) in
                try await store.read { s in
                    try await s.boardColumn(BoardQuery(pipeline: "sales", search: text), stage: "new_lead", offset: 0, limit: 50).map(\.title)
                        .sorted()
                }
            }
            #expect(try await column("грозн") == ["Двери ГРОЗНОГО", "Окна"])
            #expect(try await column("КРЫША") == ["Крыша"])
            #expect(try await column("иван окна") == [])
            let totals = try await store.read { s in try await s.boardTotals(BoardQuery(pipeline: "sales", search: "грозн")) }
            #expect(totals.map(\.count).reduce(0, +) == 2)
        }
    }

    @Test(arguments: StoreTarget.available)
    func theMigrationFillsTheIndexForRowsThatExistAlready(target: StoreTarget) async throws {
        try await target.withStore { store in
            _ = try await store.write { s in try await s.insertDeal(deal("Кровать Сидоровым", "m")) }
            _ = try await store.write { s in
                try await s.insertContact(Contact(id: ContactID(0), name: "Пётр", phones: ["+7 903 111-22-33"], createdAt: Fixtures.t0))
            }
            _ = try await store.write { s in
                try await s.insertCompany(
                    Company(id: CompanyID(0), name: "Вектор", fields: ["tax_id": .string("123456789012")], createdAt: Fixtures.t0))
            }
            // Rows as a database upgraded to 017 holds them before the fill: no search text.
            try await store.backend.write { db in
                try await db.raw("UPDATE deals SET search_text = ''").run()
                try await db.raw("UPDATE contacts SET search_name = '', search_more = ''").run()
                try await db.raw("UPDATE companies SET search_name = '', search_more = ''").run()
            }
            #expect(try await titles(store, "сидоров").isEmpty)
            try await store.backend.write { db in try await Migrations.fillSearchText(db) }
            #expect(try await titles(store, "СИДОРОВ") == ["Кровать Сидоровым"])
            #expect(try await names(store, "петр") == ["Пётр"])
            #expect(try await names(store, "9031112233") == ["Пётр"])
            #expect(try await companies(store, "вектор") == ["Вектор"])
            #expect(try await companies(store, "3456789") == ["Вектор"])
        }
    }

    @Test(arguments: StoreTarget.available)
    func theIndexAnswersAsTheReferenceMatchDoes(target: StoreTarget) async throws {
        let words = ["Иванов", "ПЕТРОВ", "сидоров", "Ёлкин", "smith", "O'Brien", "50%", "a_b", "\"кавычки\"", "Шкаф-купе", "Ω-Omega"]
        try await target.withStore { store in
            var deals: [Deal] = []
            for (i, a) in words.enumerated() {
                for (j, b) in words.enumerated() where (i + j) % 3 == 0 { deals.append(deal("\(a) \(b) \(i * 11 + j)", "r\(i)-\(j)")) }
            }
            _ = try await store.write { [deals] s in try await s.bulkInsertDeals(deals) }
            for query in ["иванов", "ов", "ПЕТ сид", "елкин", "SMITH o'b", "50%", "a_b", "\"кав", "купе", "ω-o", "1", "ов 3", "zzz"] {
                let expected = deals.filter { SearchTerms(query)!.matches(SearchText.deal(title: $0.title)) }.map(\.title).sorted()
                let found = try await search(store, query).deals.map(\.title).sorted()
                #expect(found == expected, "\(query)")
            }
        }
    }
}
