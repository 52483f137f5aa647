import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore

/// `/users`: the people a lead's `responsible_user_id` names (integrations look them up by e-mail), as every signed-in
/// user sees them on the JSON API.
extension AmoCRMMethods {
    func userList() async throws -> JSONValue {
        let paging = try AmoCRMPaging(query)
        let users = try await store.read { s in try await s.users() }.sorted { $0.id.rawValue < $1.id.rawValue }
        let page = users.dropFirst(paging.offset).prefix(paging.limit).map(userRow)
        return listReply("users", path: "/users", items: Array(page), paging: paging, more: users.count > paging.offset + paging.limit)
    }

    /// One user; an unknown id is amoCRM's 204.
    func userGet(_ id: Int64) async throws -> JSONValue? {
        do {
            return userRow(try await store.read { s in try await s.user(UserID(id)) })
        } catch  where AppError.from(error).map(Self.isNotFound) == true {
            return nil
        }
    }

    /// A user as amoCRM writes one; `rights` says only whether they administer and are active.
    func userRow(_ u: User) -> JSONValue {
        .object([
            "id": .number(Double(u.id.rawValue)), "name": .string(u.name), "email": .string(u.email), "lang": .string(u.locale.rawValue),
            "rights": .object(["is_admin": .bool(u.role == .admin), "is_free": .bool(false), "is_active": .bool(u.active)]),
            "_links": Self.selfLink("\(base)/users/\(u.id)"),
        ])
    }
}
