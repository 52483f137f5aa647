import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Foundation

/// The data `bench search` searches: contacts with Russian (and some Latin) names, Russian mobile numbers written in
/// several formats and e-mails; deals titled with a product and a customer's surname, spread over ten managers.
struct BenchSearchData {
    let services: AppServices
    let deals: Int
    let contacts: Int

    static let surnames = [
        "Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков",
        "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
        "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Ёлкин", "Фролов", "Беляев",
    ]
    static let firstNames = [
        ("Александр", "Анна"), ("Дмитрий", "Мария"), ("Максим", "Елена"), ("Сергей", "Ольга"), ("Андрей", "Наталья"), ("Алексей", "Татьяна"),
        ("Артём", "Ирина"), ("Илья", "Светлана"), ("Кирилл", "Екатерина"), ("Михаил", "Юлия"), ("Никита", "Дарья"), ("Иван", "Ксения"),
    ]
    static let latin = ["Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Taylor", "Anderson"]
    static let translit = ["ivanov", "petrov", "smirnov", "kuznetsov", "popov", "vasiliev", "sokolov", "mikhailov", "novikov", "fedorov"]
    static let products = [
        "Холодильник", "Кондиционер", "Шкаф-купе", "Кухня", "Диван", "Стиральная машина", "Ноутбук", "Окна ПВХ", "Ремонт офиса", "Поставка бумаги",
        "Монтаж вентиляции", "Лицензии 1С", "Обучение персонала", "Аренда склада", "Доставка мебели", "Сервер",
    ]
    static let codes = ["903", "905", "906", "909", "915", "916", "917", "925", "926", "985", "999"]

    /// Contact i's phone, written the way people write them: with +7, with 8, with or without brackets and dashes.
    static func phone(_ i: Int) -> String {
        let code = codes[i % codes.count]
        let d = String(format: "%07d", (i &* 2_654_435_761) % 10_000_000)
        let (a, b, c) = (d.prefix(3), d.dropFirst(3).prefix(2), d.suffix(2))
        switch i % 4 {
        case 0: return "+7 (\(code)) \(a)-\(b)-\(c)"
        case 1: return "8\(code)\(d)"
        case 2: return "+7 \(code) \(a) \(b) \(c)"
        default: return "8-\(code)-\(a)-\(b)\(c)"
        }
    }

    /// A stored contact's phone typed another way than it was saved (8 instead of +7, spaces instead of dashes).
    static func phoneTypedDifferently(contacts: Int) -> String {
        let i = contacts / 2
        let d = String(format: "%07d", (i &* 2_654_435_761) % 10_000_000)
        return "8 \(codes[i % codes.count]) \(d.prefix(3)) \(d.dropFirst(3).prefix(2)) \(d.suffix(2))"
    }

    func seed() async throws {
        _ = try await services.pipelines.apply(text: try Presets.text("sales-002"))
        let now = services.clock.now()
        let managers = try await services.store.write { s in
            _ = try await s.insertUser(email: "admin@bench.test", name: "Admin", locale: .ru, role: .admin, at: now)
            var out: [UserID] = []
            for i in 0..<10 { out.append(try await s.insertUser(email: "m\(i)@bench.test", name: "Менеджер \(i)", locale: .ru, at: now).id) }
            return out
        }
        let pipeline = try await services.store.read { s in try await s.requirePipeline("sales") }
        let stages = pipeline.openStages.map(\.key)
        var contactIDs: [ContactID] = []
        for start in stride(from: 0, to: contacts, by: 10_000) {
            let batch = (start..<min(start + 10_000, contacts)).map { i -> Contact in
                let surname = Self.surnames[i % Self.surnames.count]
                let (male, female) = Self.firstNames[(i / Self.surnames.count) % Self.firstNames.count]
                let name =
                    i % 20 == 19
                    ? "John \(Self.latin[(i / 20) % Self.latin.count])" : ((i / 7) % 2 == 0 ? "\(male) \(surname)" : "\(female) \(surname)а")
                let email = "\(Self.translit[i % Self.translit.count])\(i)@example.ru"
                return Contact(id: ContactID(0), name: name, phones: [Self.phone(i)], emails: [email], createdAt: now)
            }
            contactIDs += try await services.store.write { s in try await s.bulkInsertContacts(batch) }
            if (start + 10_000) % 100_000 == 0 { FileHandle.standardError.write(Data("contacts: \(start + 10_000)\n".utf8)) }
        }
        for start in stride(from: 0, to: deals, by: 10_000) {
            let batch = (start..<min(start + 10_000, deals)).map { i -> Deal in
                let product = Self.products[i % Self.products.count]
                let surname = Self.surnames[(i / Self.products.count) % Self.surnames.count]
                return Deal(
                    id: DealID(0), lineage: LineageID("bench-\(i)"), pipeline: "sales", stage: stages[i % stages.count],
                    title: "\(product) для \(surname)ых №\(i)", responsible: managers[i % managers.count],
                    contact: contactIDs.isEmpty ? nil : contactIDs[i % contactIDs.count], createdAt: now)
            }
            _ = try await services.store.write { s in try await s.bulkInsertDeals(batch) }
            if (start + 10_000) % 100_000 == 0 { FileHandle.standardError.write(Data("deals: \(start + 10_000)\n".utf8)) }
        }
    }
}
