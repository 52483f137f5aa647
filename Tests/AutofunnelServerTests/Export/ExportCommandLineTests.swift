import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Logging
import Testing

/// `autofunnel export` run as a user runs it, on a database file.
@Suite("Export on the command line")
struct ExportCommandLineTests {
    /// A database file with the sales pipeline and one deal whose title is a formula.
    static func database() async throws -> (path: String, deal: Deal) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("autofunnel-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("crm.sqlite").path
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let store = try await Store.open(.sqliteFile(path), logger: logger, now: Fixtures.t0)
        let deal = try await store.closing { store in
            let services = AppServices(store: store, logger: logger)
            _ = try await services.pipelines.apply(Fixtures.salesDefinition())
            return try await services.deals.create(
                pipeline: "sales", stage: nil, input: DealInput(title: "=1+1, \"итого\"", amount: .init(value: "1500.50", currency: "RUB")),
                actor: Actor(kind: .import))
        }
        return (path, deal)
    }

    @Test func exportWritesTheFileAndStandardOutput() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: CommandLineTests.binary.path), "build the binary first: swift build --build-tests")
        let (path, deal) = try await Self.database()
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("deals.csv")
        let run = try CommandLineTests.run(["export", "deals", "--out", file.path, "--pipeline", "sales", "--database-url", "sqlite:" + path])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.isEmpty)
        let bytes = try Data(contentsOf: file)
        // Foundation may drop a BOM when it decodes, so the file's own first bytes are checked.
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]), "the BOM spreadsheets need to read UTF-8")
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text.hasPrefix("id,pipeline,stage,status,title,amount,currency,"))
        let rows = try CSVRows.records(text).rows
        #expect(rows.count == 1 && rows.first?["id"] == deal.id.description)
        #expect(rows.first?["title"] == "'=1+1, \"итого\"" && rows.first?["amount"] == "1500.50")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".partial") } == [])

        let history = try CommandLineTests.run(["export", "history", "--database-url", "sqlite:" + path])
        #expect(history.status == 0, "\(history.errors)")
        let log = try CSVRows.records(history.output)
        #expect(log.header == ExportService.historyColumns && log.rows.map { $0["deal_id"] } == [deal.id.description])

        let refused = try CommandLineTests.run(["export", "contacts", "--pipeline", "sales", "--database-url", "sqlite:" + path])
        #expect(refused.status != 0 && refused.errors.contains("--pipeline applies to deals and history"))
        let unknown = try CommandLineTests.run(["export", "deals", "--pipeline", "nope", "--database-url", "sqlite:" + path])
        #expect(unknown.status != 0 && unknown.errors.contains("No pipeline nope"))
    }
}
