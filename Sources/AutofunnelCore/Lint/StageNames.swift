/// Heuristics over stage names in Russian and English: the form a name is written in, task-like names, other roles'
/// work and loss stages that name no reason.
enum StageNames {
    static func words(_ text: String) -> [String] {
        text.lowercased().split { !$0.isLetter && $0 != "-" }.map(String.init)
    }

    /// `process` for "Ожидаем оплату", "Готовим КП", "Waiting for payment"; `conversion` for "Договор подписан",
    /// "Получили ответ", "Invoice paid"; nil when the name says neither.
    static func form(of name: Localized) -> Stage.Kind? {
        let ru = words(name.ru)
        let en = words(name.en)
        let conversionRu = ["ли", "лся", "лась", "лись", "ан", "ен", "ян", "ана", "ена", "ано", "ено", "аны", "ены", "ён"]
        if let first = ru.first, first.count > 4, conversionRu.contains(where: { first.hasSuffix($0) }) { return .conversion }
        let processRu = ["ожида", "ждём", "ждем", "готови", "обрабатыва", "соглас", "провер", "дела", "веде", "собира"]
        if let first = ru.first, processRu.contains(where: { first.hasPrefix($0) }) || (first.hasSuffix("ем") && first.count > 4) {
            return .process
        }
        if let first = en.first, first.hasSuffix("ing") || first == "awaiting" { return .process }
        if let last = ru.last, ru.count > 1, last.count > 4, ["ан", "ен", "ена", "ана", "ено", "ано", "ён"].contains(where: { last.hasSuffix($0) }) {
            return .conversion
        }
        if let last = en.last, ["signed", "received", "paid", "sent", "made", "done", "approved", "delivered", "agreed"].contains(last) {
            return .conversion
        }
        return nil
    }

    /// "Не дозвонился", "Перезвонить", "Call back": actions a seller does, not steps a deal goes through.
    static func isTaskLike(_ name: Localized) -> Bool {
        let ru = name.ru.lowercased()
        let en = name.en.lowercased()
        return ["не дозвон", "перезвон", "позвонить", "недозвон", "напомнить", "написать"].contains { ru.contains($0) }
            || ["call back", "callback", "call again", "no answer", "didn't get through", "remind", "follow up call"].contains { en.contains($0) }
    }

    /// Stages another role works: production, delivery, installation, accounting, legal, warehouse.
    static func belongsToAnotherRole(_ name: Localized) -> Bool {
        let ru = name.ru.lowercased()
        let en = name.en.lowercased()
        return ["производств", "доставк", "монтаж", "бухгалтер", "юрист", "склад", "дебитор", "сборк"].contains { ru.contains($0) }
            || ["production", "delivery", "install", "accounting", "legal", "warehouse", "receivable", "assembly"].contains { en.contains($0) }
    }

    /// "Закрыто и не реализовано", "Lost", "Отказ": a lost stage that tells nothing about why.
    static func isGenericLoss(_ name: Localized) -> Bool {
        let ru = name.ru.lowercased().trimmed
        let en = name.en.lowercased().trimmed
        return ["закрыто и не реализовано", "отказ", "провал", "проиграна", "потеряна", "не реализовано"].contains(ru)
            || ["lost", "closed lost", "closed - lost", "failed", "rejected"].contains(en)
    }
}
