import AutofunnelCore
import AutofunnelTestSupport
import Testing

@Suite("Money and custom field values")
struct MoneyAndFieldsTests {
    let rub = CurrencyCode("RUB")!

    @Test func moneyIsExactDecimal() throws {
        let m = try Money.parse("1500.5", currency: rub).get()
        #expect(m.scaledUnits == 15_005_000)
        #expect(m.decimalText == "1500.50")
        #expect(try Money.parse("0.10", currency: rub).get().scaledUnits + Money.parse("0.20", currency: rub).get().scaledUnits == 3_000)
        #expect(try Money.parse("1500", currency: CurrencyCode("JPY")!).get().decimalText == "1500")
        #expect(try Money.parse("1.234", currency: CurrencyCode("KWD")!).get().decimalText == "1.234")
    }

    @Test(arguments: ["-1", "NaN", "Infinity", "1e5", "", ".5", "5.", "1.2.3", "12345678901234567", "1.001", " 1"])
    func badAmountsAreRefused(text: String) {
        #expect(throws: Money.ParseError.self) { try Money.parse(text, currency: rub).get() }
    }

    @Test func eachRefusalSaysWhy() {
        let cases: [(String, Money.ParseError)] = [
            ("-1", .negative), ("+-1", .notADecimal), ("1.2.3", .notADecimal), ("5.", .notADecimal), (".5", .notADecimal), ("", .notADecimal),
            ("１２", .notADecimal), ("5\u{301}", .notADecimal), ("1 000", .notADecimal), ("1.001", .tooManyFractionDigits),
            ("123456789012345", .tooLarge), ("123456789012345.1", .tooLarge),
        ]
        for (text, why) in cases {
            #expect(Money.parse(text, currency: rub) == .failure(why), "\(text)")
        }
    }

    @Test func leadingAndTrailingZerosAndAPlusAreAccepted() throws {
        #expect(try Money.parse("+00012.3400", currency: rub).get().scaledUnits == 123_400)
        #expect(try Money.parse("000000000000000001", currency: rub).get().scaledUnits == 10_000)
        #expect(try Money.parse("99999999999999.99", currency: rub).get().decimalText == "99999999999999.99")
        #expect(try Money.parse("7.000000", currency: CurrencyCode("JPY")!).get().decimalText == "7")
        #expect(try Money.parse("0", currency: rub).get().scaledUnits == 0)
    }

    @Test func randomUUIDsAreVersion4AndDistinct() {
        var seen: Set<String> = []
        for _ in 0..<10_000 {
            let id = RandomUUID.string()
            let parts = id.split(separator: "-").map(\.count)
            #expect(parts == [8, 4, 4, 4, 12], "\(id)")
            #expect(id.allSatisfy { $0 == "-" || $0.isHexDigit && !$0.isUppercase }, "\(id)")
            #expect(Array(id)[14] == "4" && "89ab".contains(Array(id)[19]), "\(id)")
            seen.insert(id)
        }
        #expect(seen.count == 10_000)
    }

    @Test func currenciesAreISO4217() {
        #expect(CurrencyCode("RUB") != nil)
        #expect(CurrencyCode("USD") != nil)
        #expect(CurrencyCode("rub") == nil)
        #expect(CurrencyCode("XYZ") == nil)
        #expect(CurrencyCode("JPY")?.minorUnitDigits == 0)
    }

    @Test func fieldValuesAreValidatedAgainstTheirType() {
        func check(_ type: FieldType, _ value: JSONValue, options: [FieldDefinition.Option]? = nil) -> JSONValue? {
            try? FieldDefinition(entity: .deal, key: "f", type: type, name: .init(ru: "Ф", en: "F"), options: options).validate(value).get()
        }
        #expect(check(.text, .string("x")) == .string("x"))
        #expect(check(.text, .number(1)) == nil)
        #expect(check(.number, .number(2.5)) == .number(2.5))
        #expect(check(.number, .string("2")) == nil)
        #expect(
            check(.money, .object(["value": .string("10.5"), "currency": .string("RUB")]))
                == .object(["value": .string("10.50"), "currency": .string("RUB")]))
        #expect(check(.money, .object(["value": .string("-1"), "currency": .string("RUB")])) == nil)
        #expect(check(.enum, .string("a"), options: [.init(key: "a", name: .init(ru: "А", en: "A"))]) == .string("a"))
        #expect(check(.enum, .string("b"), options: [.init(key: "a", name: .init(ru: "А", en: "A"))]) == nil)
        #expect(check(.user, .number(3)) == .number(3))
        #expect(check(.user, .number(3.5)) == nil)
        #expect(check(.date, .string("2024-02-29")) == .string("2024-02-29"))
        #expect(check(.date, .string("2023-02-29")) == nil)
        #expect(check(.datetime, .string("2026-11-23T10:00:00+03:00")) != nil)
        #expect(check(.datetime, .string("2026-11-23 10:00")) == nil)
        #expect(check(.phone, .string("+7 (912) 345-67-89")) == .string("+79123456789"))
        #expect(check(.phone, .string("call me")) == nil)
        #expect(check(.email, .string(" Anna@Example.RU ")) == .string("anna@example.ru"))
        #expect(check(.email, .string("anna@")) == nil)
        #expect(check(.boolean, .bool(true)) == .bool(true))
        #expect(check(.boolean, .string("true")) == nil)
    }

    @Test func unknownFieldsAreRefusedAndNullClears() throws {
        let (_, fields) = Fixtures.salesPipeline()
        let values = try fields.validate(["subject": .string("Шкаф"), "requirements": .null], entity: .deal).get()
        #expect(values["subject"] == .some(.string("Шкаф")))
        #expect(values["requirements"] == .some(nil))
        #expect(throws: Refusal.self) { try fields.validate(["nope": .string("x")], entity: .deal).get() }
    }
}
