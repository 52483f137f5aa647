import AutofunnelCore
import Testing

@Suite("Time zones and working hours") struct TimeZoneTests {
    /// 2026-11-18 11:06:40 UTC, a Wednesday: 14:06:40 in Moscow.
    static let wednesday = Timestamp(millis: 1_795_000_000_000)

    @Test func aMomentReadsOnEachZonesWallClockAndBack() throws {
        let moscow = TimeZoneName.moscow
        let local = moscow.local(Self.wednesday)
        #expect(local.text == "2026-11-18 14:06" && local.weekday == 3)
        #expect(TimeZoneName.utc.local(Self.wednesday).text == "2026-11-18 11:06")
        let input = try #require(LocalTime(inputText: "2026-11-20T10:00"))
        #expect(moscow.moment(input)?.millis == 1_795_158_000_000, "10:00 in Moscow is 07:00 UTC")
        #expect(moscow.offsetText(at: Self.wednesday) == "+03:00")
        #expect(LocalTime(inputText: "2026-02-30T10:00") == nil && LocalTime(inputText: "2026-11-20T24:00") == nil)
        #expect(LocalTime(inputText: "2026-11-20 10:00") == nil && LocalTime(inputText: "x") == nil)
        #expect(TimeZoneName("Mars/Olympus") == nil && TimeZoneName(String(repeating: "A", count: 100)) == nil)
    }

    @Test func daysAndWeeksFollowDaylightSaving() throws {
        let york = try #require(TimeZoneName("America/New_York"))
        // 2026-03-08: clocks jump from 02:00 to 03:00, so that day has 23 hours.
        let saturday = try #require(york.moment(LocalTime(year: 2026, month: 3, day: 7, hour: 12)))
        let sunday = york.startOfDay(saturday, days: 1)
        let monday = york.startOfDay(saturday, days: 2)
        #expect(york.local(sunday).text == "2026-03-08 00:00" && york.local(monday).text == "2026-03-09 00:00")
        #expect(monday.millis - sunday.millis == 23 * 3_600_000)
        #expect(york.local(york.startOfNextWeek(saturday)).text == "2026-03-09 00:00")
        let skipped = try #require(york.moment(LocalTime(year: 2026, month: 3, day: 8, hour: 2, minute: 30)))
        #expect(york.local(skipped).hour == 3, "a reading the clocks skip is the moment after the jump")
    }

    @Test func aDayDueCountsWorkingDaysAndLandsAtTheStart() throws {
        let hours = WorkingHours(timeZone: .moscow)
        let friday = try #require(TimeZoneName.moscow.moment(LocalTime(year: 2026, month: 11, day: 20, hour: 15)))
        let one = try #require(StageDuration("1d"))
        #expect(TimeZoneName.moscow.local(hours.due(after: one, from: friday)).text == "2026-11-23 10:00", "Friday + 1d is Monday 10:00")
        #expect(TimeZoneName.moscow.local(hours.due(after: one, from: Self.wednesday)).text == "2026-11-19 10:00")
        let three = try #require(StageDuration("3d"))
        #expect(TimeZoneName.moscow.local(hours.due(after: three, from: Self.wednesday)).text == "2026-11-23 10:00")
        let late = try #require(TimeZoneName.moscow.moment(LocalTime(year: 2026, month: 11, day: 20, hour: 18, minute: 30)))
        let twoHours = try #require(StageDuration("2h"))
        #expect(TimeZoneName.moscow.local(hours.due(after: twoHours, from: late)).text == "2026-11-23 10:00", "after hours: the next start")
        #expect(hours.due(after: twoHours, from: Self.wednesday) == Self.wednesday.adding(millis: 7_200_000), "inside hours: on the clock")
    }

    @Test func workingHoursRoundTripThroughTheDefinitionAndRefuseNonsense() throws {
        var definition = PipelineDefinition(
            key: "p", name: .init(ru: "П", en: "P"),
            stages: [
                .init(key: "a", name: .init(ru: "А", en: "A"), kind: .process),
                .init(key: "won", name: .init(ru: "Да", en: "Won"), kind: .conversion, outcome: .won),
                .init(key: "lost", name: .init(ru: "Нет", en: "Lost"), kind: .conversion, outcome: .lost),
            ], workingHours: .init(timeZone: "Europe/Moscow", from: "10:00", to: "19:00"))
        let pipeline = try definition.validated(knownFields: FieldCatalog()).get()
        #expect(pipeline.workingHours == WorkingHours(timeZone: .moscow))
        #expect(pipeline.definition.workingHours == definition.workingHours, "Monday to Friday is left out, as written")
        definition.workingHours = .init(timeZone: "Europe/Nowhere", days: ["mon", "mon", "holiday"], from: "25:00", to: "09:00")
        guard case .failure(let refusal) = definition.validated(knownFields: FieldCatalog()) else {
            Issue.record("nonsense hours were accepted")
            return
        }
        let fields = Set(refusal.violations.compactMap(\.field))
        #expect(fields == ["workingHours.timeZone", "workingHours.days[1]", "workingHours.days[2]", "workingHours.from"])
    }
}
