/// What the test value of an outside service (`Mailer.unimplemented`, `WebhookTransport.unimplemented`) throws when
/// code reaches it: a test that sends mail or posts a webhook without saying what should happen fails with the name of
/// what it touched, instead of reaching the network.
public struct Unstubbed: Error, Sendable, CustomStringConvertible {
    /// The closure that was called, such as `Mailer.send`.
    public let name: String

    /// The failure of calling `name`.
    public init(_ name: String) { self.name = name }

    public var description: String { "\(name) was not stubbed" }
}
