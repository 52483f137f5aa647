import AutofunnelCore
import AutofunnelStore

extension AutomationRunner {
    /// A rule's failure on the deal's timeline, and a notice of it for the deal's responsible.
    func recordError(_ entry: TimelineEntry, session s: StoreSession) async throws {
        try await s.appendTimeline([entry])
        if let deal = try? await s.deal(entry.deal),
            let notice = Notice.automationError(deal, rule: entry.field, error: entry.text ?? "", at: entry.at)
        {
            try await s.insertNotice(notice)
        }
    }
}
