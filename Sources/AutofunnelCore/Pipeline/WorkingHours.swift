/// When a pipeline's people work: the days of the week and the hours, in one time zone. With them, a task a rule
/// makes "due in 1 day" is due at the start of the next working day, not 24 hours later at night or on a Sunday.
public struct WorkingHours: Hashable, Sendable {
    /// Days of the week as written in the file, Monday first.
    public static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    public static let weekdays: Set<Int> = [1, 2, 3, 4, 5]

    public var timeZone: TimeZoneName
    /// Working days, 1 (Monday) to 7 (Sunday).
    public var days: Set<Int>
    /// Minutes after local midnight the working day starts and ends.
    public var start: Int
    public var end: Int

    public init(timeZone: TimeZoneName, days: Set<Int> = Self.weekdays, start: Int = 600, end: Int = 1140) {
        self.timeZone = timeZone
        self.days = days
        self.start = start
        self.end = end
    }

    /// When something due `after` from `now` is due. Whole days count working days and land at the start of the
    /// day (Friday + 1d is Monday at the start); shorter spans count on the clock, and a moment outside working time
    /// moves to the next start.
    public func due(after: StageDuration, from now: Timestamp) -> Timestamp {
        guard !days.isEmpty else { return now.adding(millis: after.millis) }
        if after.unit == .days {
            var day = timeZone.startOfDay(now)
            var left = after.amount
            // At most a week passes between working days, so this stops within 7 × amount + 7 steps.
            for _ in 0..<(7 * after.amount + 7) {
                day = timeZone.startOfDay(day, days: 1)
                if days.contains(timeZone.local(day).weekday) {
                    left -= 1
                    if left == 0 { return startTime(of: day) }
                }
            }
            return now.adding(millis: after.millis)
        }
        return nextWorking(now.adding(millis: after.millis))
    }

    /// The moment itself when it falls in working time, else the next start of a working day.
    public func nextWorking(_ t: Timestamp) -> Timestamp {
        var day = timeZone.startOfDay(t)
        let local = timeZone.local(t)
        let minute = local.hour * 60 + local.minute
        if days.contains(local.weekday) {
            if minute < start { return startTime(of: day) }
            if minute < end { return t }
        }
        for _ in 0..<8 {
            day = timeZone.startOfDay(day, days: 1)
            if days.contains(timeZone.local(day).weekday) { return startTime(of: day) }
        }
        return t
    }

    func startTime(of midnight: Timestamp) -> Timestamp {
        var l = timeZone.local(midnight)
        (l.hour, l.minute) = (start / 60, start % 60)
        return timeZone.moment(l) ?? midnight
    }

    /// `10:00` → 600; nil unless `HH:MM` within a day (`24:00` allowed, for an end).
    public static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
            (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 1440
        else { return nil }
        return h * 60 + m
    }

    /// 600 → `10:00`.
    public static func text(_ minutes: Int) -> String { TimeZoneName.two(minutes / 60) + ":" + TimeZoneName.two(minutes % 60) }
}
