import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import AutofunnelTestSupport
import Foundation
import Testing

/// One-time set-password links, disabling and the audit log's filters, on every database: a link works once and not
/// after it expires (the test clock moves), a reset ends the old password, a disabled user's token stops working.
@Suite("People and access: links, disabling, audit")
struct PasswordLinkTests {
    static let password = "Correct-Horse-Battery-9"

    static func caller(_ t: TestServices) -> Caller {
        Caller(principal: Principal(user: t.admin), sessionHash: nil, ip: "10.0.0.1")
    }

    @Test(arguments: StoreTarget.available)
    func aLinkSetsThePasswordOnceAndSignsIn(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let auth = t.services.auth
            let invited = try await auth.invite(
                .init(email: "New@Example.com", name: "Новый", role: .manager, password: "ignored"), by: Self.caller(t))
            #expect(invited.user.email == "new@example.com")
            // No password yet: signing in fails whatever is typed.
            await #expect(throws: AppError.self) {
                try await auth.signIn(email: "new@example.com", password: "ignored", ip: "1.1.1.1", userAgent: nil, replacing: nil)
            }
            // Only the hash is stored.
            let (raw, hashed) = try await t.services.store.read { s in
                (try await s.passwordLink(hash: invited.secret), try await s.passwordLink(hash: Secrets.hash(invited.secret)))
            }
            #expect(raw == nil && hashed?.user == invited.user.id && hashed?.usedAt == nil)
            #expect(try await auth.passwordLinkUser(secret: invited.secret)?.id == invited.user.id)

            await #expect(throws: AppError.self) {
                try await auth.completePasswordLink(secret: invited.secret, password: "short", ip: "1.1.1.1", userAgent: nil)
            }
            // A refused password leaves the link open.
            #expect(try await auth.passwordLinkUser(secret: invited.secret) != nil)
            let signed = try await auth.completePasswordLink(secret: invited.secret, password: Self.password, ip: "1.1.1.1", userAgent: nil)
            #expect(signed.user.id == invited.user.id)
            #expect(try await auth.principal(sessionID: signed.sessionID)?.0.user.id == invited.user.id)

            #expect(try await auth.passwordLinkUser(secret: invited.secret) == nil)
            await #expect(throws: AppError.self) {
                try await auth.completePasswordLink(secret: invited.secret, password: "Another-Good-Pass-7", ip: "1.1.1.1", userAgent: nil)
            }
            let again = try await auth.signIn(email: "new@example.com", password: Self.password, ip: "1.1.1.1", userAgent: nil, replacing: nil)
            #expect(again.user.id == invited.user.id)

            let actions = try await t.services.store.read { s in
                try await s.audit(before: nil, limit: 50, AuditFilter(subject: invited.user.id)).items.map(\.action)
            }
            #expect(actions == [.login, .login, .passwordChanged, .loginFailed, .passwordLinkIssued, .userCreated])
        }
    }

    @Test(arguments: StoreTarget.available)
    func aLinkExpiresAfter72HoursAndANewOneReplacesTheOld(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let auth = t.services.auth
            let first = try await auth.invite(.init(email: "late@example.com", name: "Поздний", role: .observer, password: nil), by: nil)
            t.clock.advance(millis: 72 * 3_600_000)
            #expect(try await auth.passwordLinkUser(secret: first.secret) == nil)
            await #expect(throws: AppError.self) {
                try await auth.completePasswordLink(secret: first.secret, password: Self.password, ip: "1.1.1.1", userAgent: nil)
            }
            let second = try await auth.issuePasswordLink(first.user.id, reset: true, by: Self.caller(t))
            let third = try await auth.issuePasswordLink(first.user.id, reset: true, by: Self.caller(t))
            #expect(try await auth.passwordLinkUser(secret: second) == nil)
            t.clock.advance(millis: 72 * 3_600_000 - 1000)
            #expect(try await auth.passwordLinkUser(secret: third)?.id == first.user.id)
        }
    }

    @Test(arguments: StoreTarget.available)
    func aResetEndsTheOldPasswordAndSessions(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let auth = t.services.auth
            let user = try await t.user("seller@example.com", role: .manager, password: Self.password)
            let session = try await auth.signIn(email: user.email, password: Self.password, ip: "1.1.1.1", userAgent: nil, replacing: nil)
            let secret = try await auth.issuePasswordLink(user.id, reset: true, by: Self.caller(t))
            #expect(try await auth.principal(sessionID: session.sessionID) == nil)
            await #expect(throws: AppError.self) {
                try await auth.signIn(email: user.email, password: Self.password, ip: "1.1.1.2", userAgent: nil, replacing: nil)
            }
            _ = try await auth.completePasswordLink(secret: secret, password: "Brand-New-Pass-42", ip: "1.1.1.1", userAgent: nil)
            let back = try await auth.signIn(email: user.email, password: "Brand-New-Pass-42", ip: "1.1.1.3", userAgent: nil, replacing: nil)
            #expect(back.user.id == user.id)
        }
    }

    @Test(arguments: StoreTarget.available)
    func aDisabledUsersTokenSessionAndLinkStopWorking(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let auth = t.services.auth
            let user = try await t.user("seller@example.com", role: .manager, password: Self.password)
            let token = try await t.token(for: user, scope: .write)
            let session = try await auth.signIn(email: user.email, password: Self.password, ip: "1.1.1.1", userAgent: nil, replacing: nil)
            let link = try await auth.issuePasswordLink(user.id, reset: false, by: Self.caller(t))
            #expect(try await auth.principal(bearer: token) != nil)
            _ = try await auth.updateUser(user.id, UserChanges(active: false), by: Self.caller(t))
            #expect(try await auth.principal(bearer: token) == nil)
            #expect(try await auth.principal(sessionID: session.sessionID) == nil)
            #expect(try await auth.passwordLinkUser(secret: link) == nil)
            await #expect(throws: AppError.self) {
                try await auth.signIn(email: user.email, password: Self.password, ip: "1.1.1.2", userAgent: nil, replacing: nil)
            }
            _ = try await auth.updateUser(user.id, UserChanges(active: true), by: Self.caller(t))
            #expect(try await auth.principal(bearer: token) != nil)
        }
    }

    @Test(arguments: StoreTarget.available)
    func theAuditLogFiltersByActorActionAndPeriod(target: StoreTarget) async throws {
        try await TestServices.with(target) { t in
            let auth = t.services.auth
            let user = try await t.user("seller@example.com", role: .manager, password: Self.password)
            let start = t.clock.now()
            _ = try await auth.updateUser(user.id, UserChanges(role: .observer), by: Self.caller(t))
            t.clock.advance(millis: 86_400_000)
            let middle = t.clock.now()
            _ = try await auth.updateUser(user.id, UserChanges(active: false), by: Self.caller(t))
            _ = try await auth.updateUser(user.id, UserChanges(active: true), by: nil)
            let (byAdmin, disabled, early, late) = try await t.services.store.read { s in
                (
                    try await s.audit(before: nil, limit: 50, AuditFilter(actor: t.admin.id)).items.map(\.action),
                    try await s.audit(before: nil, limit: 50, AuditFilter(action: .userDisabled)).items.map(\.subject),
                    try await s.audit(before: nil, limit: 50, AuditFilter(from: start, until: middle)).items.map(\.action),
                    try await s.audit(before: nil, limit: 50, AuditFilter(from: middle)).items.map(\.action)
                )
            }
            #expect(byAdmin == [.userDisabled, .roleChanged])
            #expect(disabled == [user.id])
            #expect(early == [.roleChanged])
            #expect(late == [.userEnabled, .userDisabled])
            _ = try await auth.signIn(email: user.email, password: Self.password, ip: "1.1.1.1", userAgent: nil, replacing: nil)
            let last = try await t.services.store.read { s in try await s.lastSignIns() }
            #expect(last[user.id] != nil && last[t.admin.id] == nil)
        }
    }
}
