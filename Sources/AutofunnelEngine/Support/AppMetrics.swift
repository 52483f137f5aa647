import CoreMetrics
import Foundation
import Prometheus

/// The server's metrics, kept in its own Prometheus registry so that several apps (tests) never share counters.
public struct AppMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
        ]
        self.factory = factory
    }

    /// One HTTP request served: counted by route and status, timed into a histogram.
    public func request(method: String, route: String, status: Int, nanoseconds: Int64) {
        let dims = [("method", method), ("route", route), ("status", String(status))]
        Counter(label: "autofunnel_http_requests_total", dimensions: dims, factory: factory).increment()
        Timer(label: "autofunnel_http_request_duration_seconds", dimensions: [("method", method), ("route", route)], factory: factory)
            .recordNanoseconds(nanoseconds)
    }

    /// A stage change accepted by the rules.
    func moveAccepted(direction: String) {
        Counter(label: "autofunnel_moves_accepted_total", dimensions: [("direction", direction)], factory: factory).increment()
    }

    /// An automation cascade stopped at the depth limit.
    /// How deep a rule-caused chain of events went.
    func cascadeDepth(_ depth: Int) { Recorder(label: "autofunnel_automation_cascade_depth", factory: factory).record(depth) }

    func automationCascadeLimit() {
        Counter(label: "autofunnel_automation_cascade_limit_total", factory: factory).increment()
    }

    /// Timers fired by the scheduler, and how late each was (due time to firing).
    func timerFired(latenessMillis: Int64) {
        Counter(label: "autofunnel_timers_fired_total", factory: factory).increment()
        Recorder(label: "autofunnel_timer_lateness_ms", factory: factory).record(latenessMillis)
    }

    /// Timers waiting and already due, as the scheduler last saw them.
    func timers(pending: Int, due: Int) {
        Gauge(label: "autofunnel_timers_pending", factory: factory).record(pending)
        Gauge(label: "autofunnel_timers_due", factory: factory).record(due)
    }

    /// A timer parked after failing too often (see `GET /api/v1/dead-letters`).
    func timerParked() { Counter(label: "autofunnel_timers_parked_total", factory: factory).increment() }

    /// Parked timers and outbox messages that failed for good, as last counted.
    func deadLetters(timers: Int, messages: Int) {
        Gauge(label: "autofunnel_timers_parked", factory: factory).record(timers)
        Gauge(label: "autofunnel_outbox_failed", factory: factory).record(messages)
    }

    /// Messages waiting in the outbox.
    func outbox(depth: Int) { Gauge(label: "autofunnel_outbox_depth", factory: factory).record(depth) }

    /// A failed delivery attempt to a webhook endpoint.
    func deliveryFailed(destination: String) {
        Counter(label: "autofunnel_delivery_failures_total", dimensions: [("destination", destination)], factory: factory).increment()
    }

    /// A stage change refused: one count per violated rule.
    func moveRefused(rules: [String]) {
        for rule in Set(rules) { Counter(label: "autofunnel_moves_refused_total", dimensions: [("rule", rule)], factory: factory).increment() }
    }

    /// A database operation that failed for a reason other than the caller's input.
    public func databaseError() {
        Counter(label: "autofunnel_database_errors_total", factory: factory).increment()
    }

    /// The text exposition of every metric.
    public func exposition() -> String { registry.emitToString() }
}
