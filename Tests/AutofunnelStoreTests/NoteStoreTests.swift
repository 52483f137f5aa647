import AutofunnelCore
import AutofunnelTestSupport
import Testing

@testable import AutofunnelStore

/// Notes on every database: one owner each (a deal, a contact or a company), pinned and edited, listed per owner, and
/// the deal-only reads (exports, the amoCRM dialect) kept to deals' notes.
@Suite("Notes on every database")
struct NoteStoreTests {
    @Test(arguments: StoreTarget.available)
    func notesBelongToOneRecordAndKeepTheirPinAndEdit(target: StoreTarget) async throws {
        try await target.withStore { store in
            let (deal, ann, acme) = try await store.write { s in
                (
                    try await s.insertDeal(
                        Deal(id: DealID(0), lineage: LineageID("n"), pipeline: "sales", stage: "new_lead", title: "Кухня", createdAt: Fixtures.t0)),
                    try await s.insertContact(Contact(id: ContactID(0), name: "Анна", createdAt: Fixtures.t0)),
                    try await s.insertCompany(Company(id: CompanyID(0), name: "Acme", createdAt: Fixtures.t0))
                )
            }
            let later = Fixtures.t0.adding(millis: 60_000)
            let (onDeal, onAnn, onAcme) = try await store.write { s in
                (
                    try await s.insertNote(deal: deal.id, text: "Позвонить после 15:00", author: UserID(2), at: Fixtures.t0),
                    try await s.insertNote(.contact(ann.id), text: "Любит WhatsApp", author: UserID(2), at: Fixtures.t0),
                    try await s.insertNote(.company(acme.id), text: "Оплата с отсрочкой", author: nil, at: later)
                )
            }
            #expect(try await store.read { s in try await s.notes(deal: deal.id) }.map(\.text) == ["Позвонить после 15:00"])
            #expect(try await store.read { s in try await s.notes(of: .contact(ann.id)) }.map(\.id) == [onAnn.id])
            #expect(try await store.read { s in try await s.notes(of: .company(acme.id)) }.map(\.owner) == [.company(acme.id)])

            let changed = try await store.write { s in
                try await s.updateNote(onAnn.id, text: "Любит Telegram", editedAt: later, pinned: true)
            }
            #expect(changed.text == "Любит Telegram" && changed.pinned && changed.editedAt == later && changed.owner == .contact(ann.id))
            let unpinned = try await store.write { s in try await s.updateNote(onAnn.id, text: nil, editedAt: nil, pinned: false) }
            #expect(!unpinned.pinned && unpinned.text == "Любит Telegram" && unpinned.editedAt == later)

            // Reads that speak of deals only never see a contact's or company's note.
            let exported = try await store.read { s in try await s.notes(after: nil, limit: 10) }
            #expect(exported.items.map(\.id) == [onDeal.id])
            #expect(try await store.read { s in try await s.notes(deals: nil, offset: 0, limit: 10) }.map(\.id) == [onDeal.id])
            #expect(try await store.read { s in try await s.note(onAcme.id) }.deal == nil)

            // A copied deal keeps its notes' pins.
            _ = try await store.write { s in try await s.updateNote(onDeal.id, text: nil, editedAt: nil, pinned: true) }
            let copy = try await store.write { s in
                let copy = try await s.insertDeal(
                    Deal(id: DealID(0), lineage: LineageID("n"), pipeline: "sales", stage: "new_lead", title: "Кухня", createdAt: later))
                try await s.copyNotes(from: deal.id, to: copy.id)
                return copy
            }
            #expect(try await store.read { s in try await s.notes(deal: copy.id) }.map(\.pinned) == [true])
        }
    }

    @Test(arguments: StoreTarget.available)
    func aNoteWithoutOneOwnerIsRefusedByTheDatabase(target: StoreTarget) async throws {
        try await target.withStore { store in
            await #expect(throws: (any Error).self) {
                try await store.write { s in
                    try await s.db.raw("INSERT INTO notes (deal_id, contact_id, text, created_at, pinned) VALUES (1, 1, 'x', 0, 0)").run()
                }
            }
            await #expect(throws: (any Error).self) {
                try await store.write { s in try await s.db.raw("INSERT INTO notes (text, created_at, pinned) VALUES ('x', 0, 0)").run() }
            }
        }
    }
}
