import AutofunnelCore
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

@testable import AutofunnelEngine

/// What `export` writes, `import` reads back with no mapping, and the reports come out the same.
@Suite("Import: export and import round trip")
struct ImportRoundTripTests {
    static func write(_ stream: ExportStream, to url: URL) async throws {
        var text = ""
        for try await chunk in stream { text += chunk }
        try Data(text.utf8).write(to: url)
    }

    /// Every report of both pipelines, read at the same moment on either side (a report's "open for" figures count from
    /// `now`, and each side's test clock ticks on its own).
    static func reports(_ services: AppServices, now: Timestamp) async throws -> [AnyHashable] {
        var out: [AnyHashable] = []
        for key in ["qualification", "sales"] as [PipelineKey] {
            let scope = ReportScope(pipeline: key, from: Timestamp(millis: 0), to: now.adding(millis: 86_400_000))
            out.append(try await services.reports.conversion(scope))
            out.append(try await services.reports.losses(scope))
            out.append(try await services.reports.revenue(scope))
            out.append(
                try await services.store.read { s in
                    try await s.stageTimeReport(scope, pipeline: try await s.requirePipeline(key), now: now, staleAfterDays: 14)
                })
            out.append(try await services.reports.managers(scope))
            out.append(try await services.reports.cohorts(scope, period: .month))
            out.append(try await services.reports.forecast(scope))
        }
        return out
    }

    @Test func aGeneratedHistoryExportedAndImportedIntoAFreshDatabaseGivesTheSameReports() async throws {
        let source = try await TestServices.make(sales: false)
        let target = try await TestServices.make(sales: false)
        let files = try ImportFiles()
        defer { files.remove() }
        _ = try await HistoryGenerator(services: source.services).run(deals: 400, seed: 11)
        // The same definitions and users on the other side (the import brings deals, not the set-up).
        _ = try await HistoryGenerator(services: target.services).run(deals: 0, seed: 11)
        // The generated history was written without the rules (no contacts, so no phone): the target's pipelines let
        // an import replay it without the required fields, as a team moving in would set them.
        for key in ["qualification", "sales"] as [PipelineKey] {
            var definition = try PipelineService.parse(try await target.services.pipelines.export(key))
            var policy = definition.policy ?? .init()
            var permissions = policy.import ?? .all
            permissions.requiredFields = false
            policy.import = permissions
            definition.policy = policy
            _ = try await target.services.pipelines.apply(definition)
        }
        let export = ExportService(store: source.services.store, pageSize: 97)
        let deals = files.folder.appendingPathComponent("deals.csv")
        let history = files.folder.appendingPathComponent("history.csv")
        try await Self.write(export.deals(DealFilter(), reader: nil), to: deals)
        try await Self.write(export.history(pipeline: nil, reader: nil), to: history)

        let (pipelines, users) = try await target.services.store.read { s in (try await s.pipelines(), try await s.users()) }
        let mapping = try ImportMappingFile.propose(file: deals, pipelines: pipelines, users: users, pipeline: nil, sampleRows: 0)
        #expect(mapping.source == "autofunnel" && !mapping.columns.values.contains(ImportMapping.unmapped), "no mapping needed")
        let summary = try await target.services.imports.run(.init(file: deals, mapping: mapping, history: history))
        #expect(summary.refused.isEmpty, "\(summary.refused.prefix(3))")
        let sourceCount = try await source.services.store.read { s in try await s.deals(DealFilter(), after: nil, limit: 10_000).items.count }
        #expect(summary.created == sourceCount)
        #expect(try await target.services.store.read { s in try await s.staleEnteredMasks() } == 0, "the masks are the log's")
        let sourceLog = try await source.services.store.read { s in try await s.stageLog(pipeline: nil, after: nil, limit: 100_000).items }
        let targetLog = try await target.services.store.read { s in try await s.stageLog(pipeline: nil, after: nil, limit: 100_000).items }
        #expect(Set(sourceLog.map(\.cause)) == Set(targetLog.map(\.cause)), "the causes, a copy's too, come back")
        let now = source.clock.now()
        let (expected, got) = (try await Self.reports(source.services, now: now), try await Self.reports(target.services, now: now))
        #expect(expected.count == got.count)
        for (n, (a, b)) in zip(expected, got).enumerated() {
            #expect(a == b, "report \(n) (of seven per pipeline) differs")
        }
    }
}
