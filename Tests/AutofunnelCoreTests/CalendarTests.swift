import AutofunnelCore
import Testing

@Suite("Calendar arithmetic for reports")
struct CalendarTests {
    @Test func civilDatesWeeksAndMonths() {
        // 2026-11-18 (a Wednesday) is day 20,775 since 1970-01-01.
        #expect(CalendarMonth.civil(day: 20_775) == (2026, 11, 18))
        #expect(CalendarMonth.week(ofDay: 20_775) == "2026-11-16")
        #expect(CalendarMonth.week(ofDay: 20_773) == "2026-11-16")
        #expect(CalendarMonth.week(ofDay: 20_772) == "2026-11-09")
        #expect(CalendarMonth.month(ofDay: 20_775) == "2026-11")
        #expect(CalendarMonth.civil(day: 19_782) == (2024, 2, 29))
        #expect(CalendarMonth.civil(day: 0) == (1970, 1, 1))
        #expect(CalendarMonth.week(ofDay: 0) == "1969-12-29")
        #expect(CalendarMonth.of(Timestamp(millis: 1_795_000_000_000)) == "2026-11")
    }
}
