import AutofunnelCore
import AutofunnelStore

extension AuthService {
    /// What an admin sends to create a user.
    public struct NewUser: Sendable {
        public var email: String
        public var name: String
        public var locale: User.Locale
        public var role: Role
        public var password: String?
        public init(email: String, name: String, locale: User.Locale = .ru, role: Role, password: String?) {
            self.email = email
            self.name = name
            self.locale = locale
            self.role = role
            self.password = password
        }
    }

    /// Checks a new user's e-mail, name and password; every problem at once.
    func validated(_ new: NewUser) -> (email: String, name: String, problems: [Violation]) {
        var problems: [Violation] = []
        let email = EmailAddress.normalize(new.email)
        if email == nil {
            problems.append(.init(rule: .invalidValue, field: "email", message: .init(ru: "Нужен адрес e-mail", en: "Must be an e-mail address")))
        }
        let name = PartyService.checkName(new.name, into: &problems)
        if let password = new.password { problems += hasher.policy.problems(password, email: email) }
        return (email ?? "", name ?? "", problems)
    }

    /// Creates a user (admins, the command line and the demo); `by` is nil outside a request.
    public func createUser(_ new: NewUser, by caller: Caller?) async throws -> User {
        let (email, name, problems) = validated(new)
        guard problems.isEmpty else { throw AppError.refused(problems) }
        let hash: String? = if let password = new.password { try await hasher.hash(password) } else { nil }
        let now = clock.now()
        return try await store.write { s in
            let user = try await s.insertUser(email: email, name: name, locale: new.locale, role: new.role, passwordHash: hash, at: now)
            try await s.appendAudit(
                AuditEntry(
                    at: now, action: .userCreated, actor: caller?.principal.user.id, subject: user.id, email: email, ip: caller?.ip,
                    detail: "role \(new.role.rawValue)"))
            return user
        }
    }

    /// Changes a user's name, locale, role or active flag. Disabling ends every session at once; the last active admin
    /// cannot be disabled or demoted, so the installation never locks itself out.
    public func updateUser(_ id: UserID, _ requested: UserChanges, by caller: Caller?) async throws -> User {
        var checked = requested
        if let name = requested.name {
            var problems: [Violation] = []
            checked.name = PartyService.checkName(name, into: &problems)
            guard problems.isEmpty else { throw AppError.refused(problems) }
        }
        let now = clock.now()
        let changes = checked
        return try await store.write { s in
            let before = try await s.user(id)
            let losesAdmin = before.role == .admin && before.active && (changes.active == false || (changes.role.map { $0 != Role.admin } ?? false))
            if losesAdmin {
                let admins = try await s.users().filter { $0.role == .admin && $0.active }
                if admins.count <= 1 { throw AppError.conflict("The last active admin cannot be disabled or given another role") }
            }
            let after = try await s.updateUser(id, changes)
            var lines: [(AuditEntry.Action, String?)] = []
            if before.role != after.role { lines.append((.roleChanged, "\(before.role.rawValue) → \(after.role.rawValue)")) }
            if before.active && !after.active {
                try await s.deleteSessions(user: id)
                lines.append((.userDisabled, nil))
            }
            if !before.active && after.active { lines.append((.userEnabled, nil)) }
            if before.name != after.name || before.locale != after.locale || before.timeZone != after.timeZone { lines.append((.userUpdated, nil)) }
            for (action, detail) in lines {
                try await s.appendAudit(
                    AuditEntry(
                        at: now, action: action, actor: caller?.principal.user.id, subject: id, email: after.email, ip: caller?.ip, detail: detail))
            }
            return after
        }
    }

    /// Sets a password. A user changing their own must give the current one; an admin may set anyone's. Every session
    /// of the user ends.
    public func setPassword(_ id: UserID, new password: String, current: String?, by caller: Caller?) async throws {
        let user = try await store.read { s in try await s.user(id) }
        if let caller, caller.principal.user.id == id, !caller.principal.administers {
            // Guessing the current password is throttled like signing in, on the same account and address counts.
            let now = clock.now()
            try await reserveAttempt(email: user.email, ip: caller.ip, now: now)
            let hash = try await store.read { s in try await s.passwordHash(id) }
            let matches = try await current.asyncMap { try await hasher.verify($0, hash: hash) } ?? false
            if matches {
                try await store.write { s in try await s.recordLoginAttempt(email: user.email, ip: caller.ip, succeeded: true, at: now) }
            }
            guard matches else {
                throw AppError.refused([
                    .init(
                        rule: .invalidValue, field: "currentPassword",
                        message: .init(ru: "Текущий пароль указан неверно", en: "The current password is wrong"))
                ])
            }
        }
        let problems = hasher.policy.problems(password, email: user.email)
        guard problems.isEmpty else { throw AppError.refused(problems) }
        let hash = try await hasher.hash(password)
        let now = clock.now()
        try await store.write { s in
            try await s.setPasswordHash(id, hash, at: now)
            try await s.deleteSessions(user: id)
            try await s.appendAudit(
                AuditEntry(at: now, action: .passwordChanged, actor: caller?.principal.user.id, subject: id, email: user.email, ip: caller?.ip))
        }
    }

    /// Replaces a user's pipeline grants; every pipeline named must exist.
    public func setGrants(_ id: UserID, _ grants: [PipelineKey: GrantLevel], by caller: Caller?) async throws -> [PipelineKey: GrantLevel] {
        let now = clock.now()
        return try await store.write { s in
            let user = try await s.user(id)
            let known = Set(try await s.pipelines().map(\.key))
            let unknown = grants.keys.filter { !known.contains($0) }.sorted { $0.rawValue < $1.rawValue }
            guard unknown.isEmpty else {
                throw AppError.refused(
                    unknown.map {
                        .init(
                            rule: .unknownReference, field: "grants.\($0)",
                            message: .init(ru: "Нет воронки \($0)", en: "No pipeline \($0)"))
                    })
            }
            let before = try await s.grants(user: id)
            try await s.setGrants(user: id, grants)
            let text = { (g: [PipelineKey: GrantLevel]) in
                g.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key)=\($0.value.rawValue)" }.joined(separator: ",")
            }
            try await s.appendAudit(
                AuditEntry(
                    at: now, action: .grantsChanged, actor: caller?.principal.user.id, subject: id, email: user.email, ip: caller?.ip,
                    detail: "\(text(before)) → \(text(grants))"))
            return grants
        }
    }
}
