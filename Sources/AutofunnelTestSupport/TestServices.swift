import AutofunnelCore
import AutofunnelEngine
import AutofunnelServer
import AutofunnelStore
import Logging

/// Services on a fresh database with a test clock, the sales fixture pipeline applied and two users.
public struct TestServices: Sendable {
    public let services: AppServices
    public let clock: TestClock
    public let manager: User
    public let head: User
    /// The admin the API tests act as unless they say otherwise.
    public let admin: User

    /// Builds them on `target`; `sales` applies the fixture pipeline (`Fixtures.salesDefinition`); `importLimit` bounds
    /// an import upload (default 256 MiB).
    public static func make(
        _ target: StoreTarget = .sqliteMemory, sales: Bool = true, faults: FaultInjector = .none, importLimit: Int = ImportUploads.defaultLimit
    ) async throws -> TestServices {
        var store = try await target.open()
        store.faults = faults
        let clock = TestClock()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        // bcrypt's lowest cost keeps tests fast; production uses 12 (a test checks the default).
        let services = AppServices(
            store: store, clock: clock.appClock, ids: .counting(), logger: logger, hasher: PasswordHasher(cost: 4),
            webhookPolicy: WebhookPolicy(allowlist: ["127.0.0.1"]), importUploads: ImportUploads(limit: importLimit))
        if sales { _ = try await services.pipelines.apply(Fixtures.salesDefinition()) }
        let (manager, head, admin) = try await store.write { s in
            (
                try await s.insertUser(email: "manager@example.com", name: "Менеджер", locale: .ru, role: .manager, at: Fixtures.t0),
                try await s.insertUser(email: "head@example.com", name: "РОП", locale: .ru, role: .headOfSales, at: Fixtures.t0),
                try await s.insertUser(email: "admin@example.com", name: "Админ", locale: .en, role: .admin, at: Fixtures.t0)
            )
        }
        return TestServices(services: services, clock: clock, manager: manager, head: head, admin: admin)
    }

    /// A contact with name and phone, stored.
    public func contact(name: String = "Анна", phone: String = "+7 912 345-67-89") async throws -> Contact {
        try await services.parties.createContact(.init(name: name, phones: [phone]))
    }

    /// The input that satisfies every required field of the sales fixture.
    public func completeInput(contact: Contact) -> DealInput {
        DealInput(
            title: "Шкаф-купе", amount: .init(value: "48500.00", currency: "RUB"), responsible: manager.id, headOfSales: head.id, contact: contact.id,
            fields: ["requirements": .string("2,4 м"), "subject": .string("Шкаф"), "delivery_method": .string("delivery")])
    }

    /// A new user with a role (and a password when given).
    public func user(_ email: String, role: Role, password: String? = nil) async throws -> User {
        try await services.auth.createUser(.init(email: email, name: email, role: role, password: password), by: nil)
    }

    /// A fresh API token of a user.
    public func token(for user: User, scope: TokenScope = .admin) async throws -> String {
        try await services.auth.createToken(for: user.id, name: "test", scope: scope, by: nil).secret
    }

    public func close() async throws { try await services.store.close() }

    /// Runs `body` with fresh services and closes the database afterwards, also when the body throws
    /// (SQLite connections must be closed before they are released).
    public static func with<T>(
        _ target: StoreTarget = .sqliteMemory, sales: Bool = true, _ body: (TestServices) async throws -> T
    ) async throws -> T {
        let t = try await make(target, sales: sales)
        return try await t.services.store.closing { _ in try await body(t) }
    }
}
