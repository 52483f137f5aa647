import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// Backups of a database that is being written, and restores of them.
@Suite("Backup and restore of a live SQLite database")
struct BackupTests {
    static let stages: [StageKey] = ["new_lead", "processing_request", "proposal_made"]
    static let logger = Logger(label: "test")

    /// Set once, read by a task in a loop.
    final class Flag: Sendable {
        private let value = Mutex(false)
        var isSet: Bool { value.withLock { $0 } }
        func set() { value.withLock { $0 = true } }
    }

    /// A fresh folder for one test's files.
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("autofunnel-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Backs `t`'s database up to `file` while another task keeps creating deals and moving each through three
    /// stages (three transactions a deal); the backup starts once ten deals are written and the writer stops after it.
    static func backupWhileWriting(_ t: TestServices, to file: String) async throws -> BackupSummary {
        let api = Actor(kind: .api)
        let contact = try await t.contact()
        let input = t.completeInput(contact: contact)
        let stop = Flag()
        let (progress, written) = AsyncStream.makeStream(of: Int.self)
        let writer = Task {
            defer { written.finish() }
            var count = 0
            // Bounded, so a backup that never finishes fails the test instead of filling the disk.
            while !stop.isSet && count < 20_000 {
                let deal = try await t.services.deals.create(pipeline: "sales", stage: nil, input: input, actor: api)
                for stage in stages.dropFirst() { _ = try await t.services.deals.move(deal.id, to: stage, actor: api) }
                count += 1
                written.yield(count)
                // The SQLite writer runs its statements in place, so this loop never suspends on its own: without a
                // yield, two such loops (the suites run in parallel) hold both of a 2-core machine's cooperative
                // threads and the backup's continuation never runs.
                await Task.yield()
            }
            return count
        }
        for await count in progress where count >= 10 { break }
        let copy: BackupSummary
        do {
            copy = try await t.services.store.backup(to: file, logger: logger)
        } catch {
            stop.set()
            _ = try? await writer.value
            throw error
        }
        stop.set()
        let total = try await writer.value
        #expect(copy.deals >= 10 && copy.deals <= total, "\(copy.deals) of \(total)")
        return copy
    }

    /// Every deal of a store, page by page.
    static func allDeals(_ store: Store) async throws -> [Deal] {
        var deals: [Deal] = []
        var after: Int64?
        repeat {
            let page = try await store.read { [after] s in try await s.deals(DealFilter(), after: after, limit: 500) }
            deals += page.items
            after = page.nextAfter
        } while after != nil
        return deals
    }

    /// The stage log of every deal, by deal.
    static func logs(_ store: Store, _ deals: [Deal]) async throws -> [DealID: [StageKey]] {
        try await store.read { s in
            var logs: [DealID: [StageKey]] = [:]
            for deal in deals { logs[deal.id] = try await s.stageLog(deal: deal.id).map(\.to) }
            return logs
        }
    }

    @Test func aBackupUnderWritesIsAConsistentPrefix() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("backup.sqlite").path
        try await TestServices.with(.sqliteFile) { t in
            let copy = try await Self.backupWhileWriting(t, to: file)
            #expect(try await Store.inspectBackup(at: file, logger: Self.logger) == copy)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["backup.sqlite"])
            let live = try await Self.allDeals(t.services.store)
            let backup = try await Store.open(.sqliteFile(file), logger: Self.logger, now: Fixtures.t0)
            try await backup.closing { backup in
                #expect(backup.appliedMigrations == [])
                let deals = try await Self.allDeals(backup)
                #expect(deals.count == copy.deals)
                // A prefix of the history: the first deals the writer made, every one but the last moved to the end
                // (the writer finished it before it began the next), and each with exactly the log of its stages.
                #expect(deals.map(\.id) == Array(live.prefix(deals.count).map(\.id)))
                #expect(Array(deals.dropLast()) == Array(live.prefix(deals.count - 1)))
                #expect(deals.dropLast().allSatisfy { $0.stage == "proposal_made" })
                let logs = try await Self.logs(backup, deals)
                for deal in deals {
                    let reached = try #require(Self.stages.firstIndex(of: deal.stage))
                    #expect(logs[deal.id] == Array(Self.stages[...reached]), "deal \(deal.id) in \(deal.stage)")
                }
            }
        }
    }

    @Test func aRestoredBackupReadsTheSameDealsAndReports() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("backup.sqlite").path
        let restoredPath = dir.appendingPathComponent("restored/autofunnel.sqlite").path
        try await TestServices.with(.sqliteFile) { t in
            let copy = try await Self.backupWhileWriting(t, to: file)
            let restored = try await Store.restore(from: file, to: restoredPath, logger: Self.logger, now: Fixtures.t0) { _ in
                Issue.record("a fresh path needs no confirmation")
                return false
            }
            #expect(restored.backup == copy && restored.appliedMigrations == [] && !restored.replaced)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("restored").path) == ["autofunnel.sqlite"])
        }
        let scope = ReportScope(pipeline: "sales", from: Timestamp(millis: 0), to: Fixtures.t0.adding(millis: 86_400_000))
        func contents(_ path: String) async throws -> ([Deal], [DealID: [StageKey]], ConversionReport, RevenueReport, LossReport) {
            let store = try await Store.open(.sqliteFile(path), logger: Self.logger, now: Fixtures.t0)
            return try await store.closing { store in
                let services = AppServices(store: store, logger: Self.logger)
                let deals = try await Self.allDeals(store)
                return (
                    deals, try await Self.logs(store, deals), try await services.reports.conversion(scope), try await services.reports.revenue(scope),
                    try await services.reports.losses(scope)
                )
            }
        }
        let (deals, logs, conversion, revenue, losses) = try await contents(restoredPath)
        let original = try await contents(file)
        #expect(deals == original.0 && logs == original.1)
        #expect(conversion == original.2 && revenue == original.3 && losses == original.4)
        // The report counts what the deals say: every deal entered new_lead, the ones past it the later stages.
        #expect(conversion.total == deals.count)
        #expect(
            conversion.steps.prefix(3).map(\.reached)
                == Self.stages.indices.map { i in deals.filter { Self.stages.firstIndex(of: $0.stage)! >= i }.count })
    }
}
