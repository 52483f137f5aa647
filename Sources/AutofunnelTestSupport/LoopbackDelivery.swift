import AutofunnelEngine
import NIOCore

extension OutboxDelivery {
    /// A delivery to receivers listening on 127.0.0.1 in the test process. Each POST may take ten minutes: the
    /// receiver answers at once, but on a loaded machine it may be scheduled late, and a test must not fail because
    /// the machine is slow.
    public static func toLoopback(_ services: AppServices) -> OutboxDelivery {
        OutboxDelivery(services: services, owner: "test", policy: WebhookPolicy(allowlist: ["127.0.0.1"]), postTimeout: .minutes(10))
    }
}
