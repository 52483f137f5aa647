import AutofunnelCore
import AutofunnelStore

/// A small, realistic data set for `serve --demo`: the presets, six users, contacts and deals spread over the funnel.
/// Every stage change goes through the one transition path (actor kind `import`).
public enum DemoData {
    static let people: [(String, String, String)] = [
        ("Анна Смирнова", "+7 912 345-67-01", "anna@stroymarket.ru"), ("Игорь Петров", "+7 903 111-22-33", "igor@mebelgrad.ru"),
        ("Ольга Кузнецова", "+7 921 555-01-02", "olga@kuhni-plus.ru"), ("Дмитрий Волков", "+7 916 700-80-90", "volkov@skladservis.ru"),
        ("Елена Новикова", "+7 905 123-45-67", "elena@interior.ru"), ("Сергей Морозов", "+7 926 222-33-44", "morozov@ofis.ru"),
        ("Мария Павлова", "+7 915 987-65-43", "maria@dom-i-sad.ru"), ("Алексей Соколов", "+7 999 000-11-22", "sokolov@stroi.ru"),
        ("Наталья Лебедева", "+7 917 321-54-76", "lebedeva@hotel.ru"), ("Павел Козлов", "+7 985 654-32-10", "kozlov@cafe.ru"),
        ("Татьяна Егорова", "+7 901 246-80-24", "egorova@school.ru"), ("Андрей Орлов", "+7 964 135-79-13", "orlov@clinic.ru"),
    ]

    static let deals: [(title: String, amount: String, stage: String, lost: String?)] = [
        ("Шкаф-купе 2,4 м", "48500", "new_lead", nil), ("Кухонный гарнитур", "215000", "processing_request", nil),
        ("Стеллажи для склада", "132000", "proposal_made", nil), ("Офисные столы, 12 шт.", "96000", "answer_received", nil),
        ("Гардеробная", "87000", "invoice_sent", nil), ("Мебель для кафе", "310000", "payment_received", nil),
        ("Детская комната", "64000", "order_shipped", nil), ("Прихожая", "39900", "order_received", nil),
        ("Шкаф в нишу", "52000", "proposal_made", "too_expensive"), ("Реклама окон", "0", "new_lead", "spam"),
        ("Стойка ресепшн", "120000", "answer_received", "stopped_answering"), ("Мебель для клиники", "450000", "invoice_sent", nil),
        ("Парты для школы", "180000", "processing_request", "not_our_profile"), ("Кровать с подъёмником", "45000", "order_received", nil),
    ]

    /// A demo user and the password made for them, printed by `serve --demo` (and only there).
    public struct Account: Sendable {
        public let user: User
        public let password: String
    }

    static let accounts: [(email: String, name: String, role: Role)] = [
        ("admin@demo.autofunnel", "Администратор", .admin), ("head@demo.autofunnel", "Ирина Руководитель (РОП)", .headOfSales),
        ("manager1@demo.autofunnel", "Максим Менеджер", .manager), ("manager2@demo.autofunnel", "Светлана Менеджер", .manager),
        ("marketer@demo.autofunnel", "Кирилл Маркетолог", .marketer), ("observer@demo.autofunnel", "Ольга Наблюдатель", .observer),
    ]

    /// Loads the demo when the database has no pipelines and no users; returns the demo accounts with fresh random
    /// passwords, or nil (changing nothing) otherwise. The marketer and the observer read the sales pipeline.
    public static func load(into services: AppServices) async throws -> [Account]? {
        let empty = try await services.store.read { s in
            let noPipelines = try await s.pipelines().isEmpty
            let noUsers = try await s.userCount() == 0
            return noPipelines && noUsers
        }
        if !empty { return nil }
        for name in Presets.ordered(Presets.names()) { _ = try await services.pipelines.apply(text: try Presets.text(name)) }
        var made: [Account] = []
        for a in accounts {
            let password = Secrets.password()
            let user = try await services.auth.createUser(.init(email: a.email, name: a.name, role: a.role, password: password), by: nil)
            made.append(Account(user: user, password: password))
        }
        for account in made where account.user.role == .marketer || account.user.role == .observer {
            _ = try await services.auth.setGrants(account.user.id, ["sales": .readAll], by: nil)
        }
        let users = made.map(\.user)
        let head = users[1].id
        let managers = [users[2].id, users[3].id]
        let sales = try await services.store.read { s in try await s.requirePipeline("sales") }
        let actor = Actor(kind: .import)
        for (i, d) in deals.enumerated() {
            let person = people[i % people.count]
            let contact = try await services.parties.createContact(.init(name: person.0, phones: [person.1], emails: [person.2]))
            let input = DealInput(
                title: d.title, amount: .init(value: d.amount, currency: "RUB"), responsible: managers[i % 2], headOfSales: head,
                contact: contact.id,
                source: ["site", "phone", "exhibition"][i % 3],
                fields: [
                    "requirements": .string("Размеры и материалы — в заявке клиента"), "subject": .string(d.title),
                    "delivery_method": .string(i % 3 == 0 ? "pickup" : "delivery"),
                ])
            let deal = try await services.deals.create(pipeline: sales.key, stage: nil, input: input, actor: actor)
            // Step through every stage on the way, as a manager would, so the demo funnel narrows the way a healthy one does.
            let path = sales.openStages.map(\.key) + [sales.wonStage.key]
            let target = path.firstIndex(of: StageKey(d.stage)) ?? 0
            for stage in path[0...target].dropFirst() {
                _ = try await services.deals.move(deal.id, to: stage, actor: actor)
            }
            if let reason = d.lost {
                _ = try await services.deals.close(
                    deal.id, won: false, reason: StageKey(reason), comment: "Клиент выбрал другого поставщика", actor: actor)
            }
        }
        return made
    }
}
