import AutofunnelCore
import AutofunnelTestSupport
import Testing

@testable import AutofunnelStore

/// Tags on every database: matched case-folded and shown as first written, found by the lists', the board's and the
/// search's filters, and gone with the record.
@Suite("Tags on every database")
struct TagStoreTests {
    static let everything = SearchStoreTests.everything

    func tag(_ text: String) throws -> AutofunnelCore.Tag { try AutofunnelCore.Tag.parse(text).get() }

    func deal(_ title: String, _ lineage: String) -> Deal {
        Deal(id: DealID(0), lineage: LineageID(lineage), pipeline: "sales", stage: "new_lead", title: title, createdAt: Fixtures.t0)
    }

    @Test(arguments: StoreTarget.available)
    func tagsAreMatchedFoldedAndShownAsFirstWritten(target: StoreTarget) async throws {
        try await target.withStore { store in
            let (a, b) = try await store.write { s in (try await s.insertDeal(deal("Кухня", "a")), try await s.insertDeal(deal("Шкаф", "b"))) }
            try await store.write { s in
                try await s.addTags([try tag("Ёлка VIP"), try tag("выставка")], to: .deal, id: a.id.rawValue, at: Fixtures.t0)
                // Another spelling of a tag in use takes the first one; the same tag twice on a record stays one.
                try await s.addTags([try tag("  елка   vip ")], to: .deal, id: b.id.rawValue, at: Fixtures.t0)
                try await s.addTags([try tag("ЁЛКА VIP")], to: .deal, id: a.id.rawValue, at: Fixtures.t0)
            }
            let tags = try await store.read { s in try await s.tags(.deal, of: [a.id.rawValue, b.id.rawValue]) }
            #expect(tags[a.id.rawValue]?.map(\.name) == ["Ёлка VIP", "выставка"])
            #expect(tags[b.id.rawValue]?.map(\.name) == ["Ёлка VIP"])
            let used = try await store.read { s in try await s.tagsInUse([.deal], prefix: "ЕЛ", limit: 10) }
            #expect(used.map(\.tag.name) == ["Ёлка VIP"] && used.map(\.count) == [2])

            // Filters: the deal list and the board by key.
            let key = try tag("елка vip").key
            let listed = try await store.read { s in try await s.deals(DealFilter(tag: key), after: nil, limit: 10) }
            #expect(listed.items.map(\.title) == ["Кухня", "Шкаф"])
            let board = try await store.read { s in
                try await s.boardColumn(BoardQuery(pipeline: "sales", tag: try tag("выставка").key), stage: "new_lead", offset: 0, limit: 10)
            }
            #expect(board.map(\.title) == ["Кухня"])

            _ = try await store.write { s in try await s.removeTags([key], from: .deal, id: a.id.rawValue) }
            #expect(try await store.read { s in try await s.tags(.deal, of: a.id.rawValue) }.map(\.name) == ["выставка"])
            // Deleting the deal takes its tags with it.
            try await store.write { s in try await s.deleteDeal(b.id, at: Fixtures.t0) }
            #expect(try await store.read { s in try await s.tagsInUse([.deal], prefix: nil, limit: 10) }.map(\.tag.name) == ["выставка"])
        }
    }

    @Test(arguments: StoreTarget.available)
    func contactsAndCompaniesAreFilteredAndSearchedByTag(target: StoreTarget) async throws {
        try await target.withStore { store in
            let (ann, bob, acme) = try await store.write { s in
                (
                    try await s.insertContact(Contact(id: ContactID(0), name: "Анна", createdAt: Fixtures.t0)),
                    try await s.insertContact(Contact(id: ContactID(0), name: "Борис VIP-менеджер", createdAt: Fixtures.t0)),
                    try await s.insertCompany(Company(id: CompanyID(0), name: "Acme", createdAt: Fixtures.t0))
                )
            }
            let supply = try await store.write { s in try await s.insertDeal(deal("Поставка", "c")) }
            try await store.write { s in
                try await s.addTags([try tag("VIP")], to: .contact, id: ann.id.rawValue, at: Fixtures.t0)
                try await s.addTags([try tag("vip")], to: .company, id: acme.id.rawValue, at: Fixtures.t0)
                try await s.addTags([try tag("Vip")], to: .deal, id: supply.id.rawValue, at: Fixtures.t0)
            }
            let key = try tag("vip").key
            let contacts = try await store.read { s in try await s.contactList(PartyListQuery(tag: key)) }
            #expect(contacts.items.map(\.name) == ["Анна"] && contacts.total == 1)
            let companies = try await store.read { s in try await s.companyList(PartyListQuery(tag: key)) }
            #expect(companies.items.map(\.name) == ["Acme"])
            #expect(try await store.read { s in try await s.contacts(matching: nil, tag: key, after: nil, limit: 10) }.items.map(\.name) == ["Анна"])

            // The search finds records carrying the tag exactly, besides those whose text contains the word.
            let found = try await store.read { s in try await s.search(SearchTerms("VIP")!, scope: Self.everything, limit: 10) }
            #expect(found.contacts.map(\.name) == ["Борис VIP-менеджер", "Анна"])
            #expect(found.companies.map(\.name) == ["Acme"])
            #expect(found.deals.map(\.title) == ["Поставка"])
            // A tag is not a substring match: «vi» finds no tagged record.
            let part = try await store.read { s in try await s.search(SearchTerms("vi")!, scope: Self.everything, limit: 10) }
            #expect(part.contacts.map(\.name) == ["Борис VIP-менеджер"] && part.companies.isEmpty)
            // A user who may not see the deal does not find it by its tag.
            let own = SearchScope(
                deals: DealScope(user: UserID(9), everyPipeline: false, allOf: [], ownOf: ["sales"], lostOnly: false), contactDetails: false,
                companyDetails: false)
            #expect(try await store.read { s in try await s.search(SearchTerms("vip")!, scope: own, limit: 10) }.deals.isEmpty)

            // Deleting a contact takes its tags with it.
            try await store.write { s in try await s.softDelete(.contacts, id: ann.id.rawValue, at: Fixtures.t0) }
            #expect(try await store.read { s in try await s.tags(.contact, of: ann.id.rawValue) }.isEmpty)
            _ = bob
        }
    }
}
