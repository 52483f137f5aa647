/// Working hours as a definition file writes them:
///
///     workingHours: {timeZone: Europe/Moscow, days: [mon, tue, wed, thu, fri], from: "10:00", to: "19:00"}
///
/// `days` left out means Monday to Friday (and is left out on export when it is).
public struct WorkingHoursSpec: Hashable, Sendable, Codable {
    public var timeZone: String
    public var days: [String]?
    public var from: String
    public var to: String

    public init(timeZone: String, days: [String]? = nil, from: String, to: String) {
        self.timeZone = timeZone
        self.days = days
        self.from = from
        self.to = to
    }

    /// The canonical spec of validated working hours.
    public init(_ hours: WorkingHours) {
        timeZone = hours.timeZone.rawValue
        days = hours.days == WorkingHours.weekdays ? nil : hours.days.sorted().map { WorkingHours.dayNames[$0 - 1] }
        from = WorkingHours.text(hours.start)
        to = WorkingHours.text(hours.end)
    }

    /// The working hours, or nil after reporting each problem at its path.
    func validated(_ problem: (String, String, String) -> Void) -> WorkingHours? {
        var ok = true
        let zone = TimeZoneName(timeZone)
        if zone == nil {
            problem(
                "workingHours.timeZone", "Неизвестный часовой пояс «\(timeZone)» (пример: Europe/Moscow)",
                "Unknown time zone '\(timeZone)' (e.g. Europe/Moscow)")
            ok = false
        }
        var set: Set<Int> = []
        for (i, name) in (days ?? WorkingHours.weekdays.sorted().map { WorkingHours.dayNames[$0 - 1] }).enumerated() {
            guard let index = WorkingHours.dayNames.firstIndex(of: name) else {
                problem(
                    "workingHours.days[\(i)]", "День недели пишется как mon, tue, wed, thu, fri, sat, sun",
                    "Days are mon, tue, wed, thu, fri, sat, sun")
                ok = false
                continue
            }
            if !set.insert(index + 1).inserted {
                problem("workingHours.days[\(i)]", "День «\(name)» повторяется", "Day '\(name)' repeats")
                ok = false
            }
        }
        if days?.isEmpty == true {
            problem("workingHours.days", "Нужен хотя бы один рабочий день", "At least one working day is needed")
            ok = false
        }
        let start = WorkingHours.minutes(from)
        let end = WorkingHours.minutes(to)
        if start == nil { problem("workingHours.from", "Время пишется как 10:00", "Times look like 10:00"); ok = false }
        if end == nil { problem("workingHours.to", "Время пишется как 19:00", "Times look like 19:00"); ok = false }
        if let start, let end, start >= end {
            problem("workingHours.to", "Рабочий день кончается позже, чем начинается", "The working day must end after it starts")
            ok = false
        }
        guard ok, let zone, let start, let end else { return nil }
        return WorkingHours(timeZone: zone, days: set, start: start, end: end)
    }
}
