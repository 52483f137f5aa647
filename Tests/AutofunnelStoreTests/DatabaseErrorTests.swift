import AutofunnelCore
import AutofunnelStore
import AutofunnelTestSupport
import Testing

/// The server counts a failed request as a database error by asking the store, which tells the drivers' errors by
/// their types: these tests hold that to real errors of every database.
@Suite("Database errors told by type")
struct DatabaseErrorTests {
    struct Unrelated: Error {}

    /// The error `body` throws; fails the test when it throws none.
    func thrown(_ body: () async throws -> Void) async -> (any Error)? {
        do {
            try await body()
            Issue.record("the statement did not fail")
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: StoreTarget.available)
    func aFailedStatementIsADatabaseErrorOnReadsAndWrites(target: StoreTarget) async throws {
        try await target.withStore { store in
            // Readers and the writer are different connections (on SQLite: SQLiteNIO's and the direct one).
            let read = await thrown { try await store.backend.read { db in try await db.raw("SELECT * FROM no_such_table").run() } }
            let write = await thrown { try await store.backend.write { db in try await db.raw("INSERT INTO no_such_table VALUES (1)").run() } }
            for error in [read, write].compactMap({ $0 }) {
                #expect(StoreError.isDatabaseError(error), "\(String(reflecting: error))")
            }
            // What the store itself throws counts as well.
            let missing = await thrown { _ = try await store.read { s in try await s.user(UserID(987_654)) } }
            #expect(missing.map(StoreError.isDatabaseError) == true)
        }
    }

    @Test func otherErrorsAreNot() {
        #expect(!StoreError.isDatabaseError(Unrelated()))
        #expect(!StoreError.isDatabaseError(CancellationError()))
        #expect(!StoreError.isDatabaseError(DecodingError.valueNotFound(Int.self, .init(codingPath: [], debugDescription: "SQL"))))
        #expect(StoreError.isDatabaseError(StoreError.unavailable("disk full")))
    }
}
