import AutofunnelCore
import AutofunnelStore
import Foundation
import ServiceLifecycle

/// Notices by e-mail: each user who chose some kinds gets at most one digest an hour with their unread notices of
/// those kinds, through the installation's e-mail channel (the one named `notices`, else the first active e-mail
/// channel). The digest is an outbox message written with its bookkeeping in one transaction: never lost, never sent
/// twice, also with several servers on one database.
public struct NoticeDigests: Service {
    let services: AppServices
    /// The shortest time between two digests to one user.
    public static let intervalMillis: Int64 = 3_600_000
    /// Notices one digest lists at most (the rest wait for the next).
    public static let limit = 50

    public init(services: AppServices) { self.services = services }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await sendDue()
                } catch {
                    services.logger.error("notice digests failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(60))
            }
        }
    }

    /// Puts every digest that is due in the outbox; returns how many.
    @discardableResult
    public func sendDue() async throws -> Int {
        let now = services.clock.now()
        return try await services.store.write { s in
            let channels = try await s.endpoints().filter { $0.kind == .email && $0.active }
            guard let channel = channels.first(where: { $0.name == "notices" }) ?? channels.first else { return 0 }
            var sent = 0
            for mail in try await s.noticeMailSubscribers() {
                if let last = mail.lastSentAt, now.millis - last.millis < Self.intervalMillis { continue }
                let unread = try await s.unreadNotices(user: mail.user, after: mail.lastNoticeID, limit: Self.limit)
                let chosen = unread.filter { Notice.Kind(rawValue: $0.kind).map(mail.kinds.contains) ?? false }
                guard let lastID = unread.last?.id else { continue }
                let user = try await s.user(mail.user)
                guard !chosen.isEmpty, user.active else {
                    try await s.markNoticeDigest(user: mail.user, at: mail.lastSentAt, lastNoticeID: lastID)
                    continue
                }
                let ru = user.locale == .ru
                let lines = chosen.map { "• " + $0.text(ru: ru) + ($0.deal.map { " — \(services.deals.publicURL)/deals/\($0)" } ?? "") }
                let data: [String: Any] = [
                    "to": user.email, "channel": channel.name,
                    "subject": ru ? "Autofunnel: новых уведомлений — \(chosen.count)" : "Autofunnel: \(chosen.count) new notices",
                    "text": lines.joined(separator: "\n") + "\n\n" + (ru ? "Все уведомления: " : "All notices: ") + services.deals.publicURL
                        + "/notices",
                ]
                try await s.enqueue(
                    type: "message.email", payload: Webhooks.payload(type: "message.email", at: now, data: data), id: Webhooks.messageID(),
                    endpoint: channel.id, at: now)
                try await s.markNoticeDigest(user: mail.user, at: now, lastNoticeID: lastID)
                sent += 1
            }
            return sent
        }
    }
}
