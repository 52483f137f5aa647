import AutofunnelCore
import AutofunnelStore
import Foundation

/// A live import: the other CRM's API read into page files of a work folder (a cut run fetches only what it lacks),
/// its pipelines applied as definitions where we have none yet, everything written as Autofunnel's own export files,
/// and those imported by the one `ImportService` under the source's name (`amocrm`, `bitrix24`) — so the external
/// ids are the other CRM's ids and running again updates what the last run made. The deals' notes and tasks follow
/// the deals (each once: a note or task imported before is left as it is), then the contacts and companies on no deal.
public struct LiveImport: Sendable {
    let imports: ImportService
    let pipelines: PipelineService
    var store: Store { imports.store }

    public init(imports: ImportService, pipelines: PipelineService) {
        self.imports = imports
        self.pipelines = pipelines
    }

    /// Where the records come from.
    public enum Source: Sendable {
        case amoCRM(AmoCRMSource)
        case bitrix24(Bitrix24Source)

        /// The name the external ids are kept under.
        public var name: String {
            switch self {
            case .amoCRM: "amocrm"
            case .bitrix24: "bitrix24"
            }
        }

        /// The address as it may be shown (a webhook's key masked).
        public var shownAddress: String {
            switch self {
            case .amoCRM(let s): s.base
            case .bitrix24(let s): Bitrix24Source.masked(s.webhook)
            }
        }
    }

    /// How to run.
    public struct Options: Sendable {
        /// The work folder: pages under `pages/`, the files written beside them.
        public var folder: URL
        public var dryRun: Bool
        public var skipUnmapped: Bool
        public var transport: LiveTransport
        public var clock: LiveClock

        public init(folder: URL, dryRun: Bool = false, skipUnmapped: Bool = false, transport: LiveTransport = .live, clock: LiveClock = .live) {
            self.folder = folder
            self.dryRun = dryRun
            self.skipUnmapped = skipUnmapped
            self.transport = transport
            self.clock = clock
        }
    }

    /// What a run did.
    public struct Result: Sendable {
        /// What was read and written to the files.
        public var counts = LiveFiles.Counts()
        /// Requests sent (retries included), retries, and pages read from the work folder instead.
        public var requests = 0
        public var retries = 0
        public var cachedPages = 0
        /// Keys of pipelines created (or, dry, to be created).
        public var pipelinesCreated: [String] = []
        /// The deals import; nil on a dry run that could not check rows (pipelines still to be created).
        public var summary: ImportService.Summary?
        /// The notes and tasks imports (nil when the deals were not checked).
        public var notes: ImportService.ActivitySummary?
        public var tasks: ImportService.ActivitySummary?
        public var contactsCreated = 0
        public var companiesCreated = 0
        public var refusedParties: [String] = []
    }

    /// Marks a work folder whose import finished: the next run fetches afresh.
    static let completeMarker = "complete"

    /// Runs the import from `source`.
    public func run(_ source: Source, options: Options, progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Result {
        let fm = FileManager.default
        let pages = options.folder.appendingPathComponent("pages")
        let marker = options.folder.appendingPathComponent(Self.completeMarker)
        if fm.fileExists(atPath: marker.path) {
            try? fm.removeItem(at: pages)
            try fm.removeItem(at: marker)
        }
        try fm.createDirectory(at: pages, withIntermediateDirectories: true)
        let fetcher: LiveFetcher
        let snapshot: LiveSnapshot
        switch source {
        case .amoCRM(let amo):
            let limiter = RateLimiter(rate: AmoCRMSource.rate, burst: 1, clock: options.clock)
            fetcher = LiveFetcher(transport: options.transport, limiter: limiter, clock: options.clock, folder: pages)
            snapshot = try await amo.fetch(fetcher, progress: progress)
        case .bitrix24(let b24):
            let limiter = RateLimiter(rate: Bitrix24Source.rate, burst: Bitrix24Source.burst, clock: options.clock)
            fetcher = LiveFetcher(transport: options.transport, limiter: limiter, clock: options.clock, folder: pages, shown: Bitrix24Source.masked)
            snapshot = try await b24.fetch(fetcher, progress: progress)
        }
        var result = Result()
        (result.requests, result.retries, result.cachedPages) = (await fetcher.sent, await fetcher.retried, await fetcher.cached)
        let existing = try await store.read { s in try await s.pipelines() }
        let stages = LiveStages(remote: snapshot.pipelines, existing: existing)
        let definitions = stages.definitions(order: snapshot.pipelines)
        result.pipelinesCreated = definitions.map(\.key)
        let files = LiveFiles(folder: options.folder)
        result.counts = try files.write(snapshot, stages: stages)
        if options.dryRun && !definitions.isEmpty { return result }
        for definition in definitions where !options.dryRun {
            progress("pipeline \(definition.key)")
            _ = try await pipelines.apply(definition, mustBeNew: true)
        }
        var mapping = ImportMapping.propose(header: ExportService.dealColumns)
        mapping.source = source.name
        progress("writing")
        result.summary = try await imports.run(
            ImportService.Request(
                file: files.deals, mapping: mapping, history: files.history, dryRun: options.dryRun, skipUnmapped: options.skipUnmapped))
        let pending = result.summary?.checkedIDs ?? []
        progress("notes")
        result.notes = try await imports.importNotes(.init(file: files.notes, mapping: mapping, dryRun: options.dryRun, pendingDeals: pending))
        progress("tasks")
        result.tasks = try await imports.importTasks(.init(file: files.tasks, mapping: mapping, dryRun: options.dryRun, pendingDeals: pending))
        guard !options.dryRun else { return result }
        (result.contactsCreated, result.companiesCreated, result.refusedParties) = try await parties(snapshot, source: source.name)
        try Data().write(to: marker)
        return result
    }
}
