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
