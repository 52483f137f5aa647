import AutofunnelCore
import Testing

/// The byte-wise search the task templates use must find what the standard library finds.
struct UTF8SearchTests {
    @Test func findsTheFirstOccurrenceAsTheStandardLibraryDoes() {
        let text = "Позвонить {{Контакт: Имя}} и {{deal.title}}"
        for needle in ["{{", "}}", "Контакт", "deal.title", "и {{", "Позвонить", "}}x", "Имя}} и"] {
            #expect(text.utf8Range(of: needle) == text.firstRange(of: needle), "\(needle)")
        }
        let tail = text[text.utf8Range(of: "}}")!.upperBound...]
        #expect(tail.utf8Range(of: "{{") == tail.firstRange(of: "{{"))
        #expect(tail.utf8Range(of: "Контакт") == nil)
    }

    @Test func anEmptyOrLongerNeedleIsNotFound() {
        #expect("abc".utf8Range(of: "") == nil)
        #expect("ab".utf8Range(of: "abc") == nil)
        #expect("".utf8Range(of: "a") == nil)
        #expect("aab".utf8Contains("ab"))
        #expect(!"ответственный".utf8Contains("роп"))
    }
}
