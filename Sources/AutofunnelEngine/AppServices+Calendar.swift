import AutofunnelCore
import AutofunnelStore

extension AppServices {
    /// The calendar a secret address serves: the user's open tasks, at most 1,000, as iCalendar text; nil when the
    /// address is unknown, revoked or its user disabled.
    public func calendar(secret: String) async throws -> String? {
        guard let principal = try await auth.calendarPrincipal(secret: secret) else { return nil }
        let tasks = try await RecordAccess(principal: principal, store: store).visibleTasks(
            TaskFilter(assignee: principal.user.id, status: .open), limit: 1000)
        let name = principal.user.locale == .ru ? "Autofunnel: задачи" : "Autofunnel: tasks"
        return CalendarFeed.text(tasks, name: name, publicURL: deals.publicURL, at: clock.now())
    }
}
