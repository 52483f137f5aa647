import AutofunnelCore
import AutofunnelStore
import Logging

/// Everything a running server uses, built once and passed to the router, the CLI and tests.
public struct AppServices: Sendable {
    public let store: Store
    public let clock: AppClock
    public let ids: IDSource
    public let metrics: AppMetrics
    public let logger: Logger
    public let deals: DealService
    public let pipelines: PipelineService
    public let parties: PartyService
    public let reports: ReportService
    public let auth: AuthService
    public let inbound: InboundService
    public let lint: LintService
    /// Tags on deals, contacts and companies.
    public var tags: TagService { TagService(store: store, clock: clock) }
    /// Notes on deals, contacts and companies, with their `@mentions`.
    public var notes: NoteService { NoteService(deals: deals) }
    /// Imports of deals, contacts and history from files.
    public var imports: ImportService { ImportService(deals: deals) }
    /// Imports of uploaded files, run in the background (the API's and the import page's jobs).
    public let importJobs: ImportJobs
    /// The automation runner: rules, timers firing, answers from outside systems.
    public var automation: AutomationRunner { deals.automation }
    /// Rung after a change may have set a timer, so the scheduler looks again.
    public let bell: TimerBell
    /// Which webhook destinations may be called.
    public let webhookPolicy: WebhookPolicy
    /// The installation's time zone: pages of users who chose none show times in it.
    public let timeZone: TimeZoneName

    public init(
        store: Store, clock: AppClock = .system, ids: IDSource = .random, metrics: AppMetrics = AppMetrics(), logger: Logger,
        hasher: PasswordHasher = PasswordHasher(), authConfig: AuthConfig = AuthConfig(), webhookPolicy: WebhookPolicy = .fromEnvironment,
        publicURL: String = "http://127.0.0.1:8080", importUploads: ImportUploads = ImportUploads(), timeZone: TimeZoneName = .moscow
    ) {
        self.timeZone = timeZone
        self.webhookPolicy = webhookPolicy
        self.store = store
        self.clock = clock
        self.ids = ids
        self.metrics = metrics
        self.logger = logger
        bell = TimerBell()
        deals = DealService(store: store, clock: clock, ids: ids, metrics: metrics, bell: bell, publicURL: publicURL)
        pipelines = PipelineService(store: store, clock: clock, deals: deals)
        parties = PartyService(store: store, clock: clock)
        reports = ReportService(store: store, clock: clock)
        inbound = InboundService(store: store, clock: clock, deals: deals)
        lint = LintService(store: store, clock: clock)
        auth = AuthService(store: store, clock: clock, hasher: hasher, config: authConfig, timeZone: timeZone)
        importJobs = ImportJobs(deals: deals, uploads: importUploads, logger: logger)
    }
}
