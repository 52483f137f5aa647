/// The words of the duplicates and merge pages.
extension WebText {
    static let duplicates: [(String, String, String)] = [
        ("duplicates", "Дубли", "Duplicates"), ("duplicatesOfContacts", "Похожие контакты", "Contacts that look alike"),
        ("duplicatesOfCompanies", "Похожие компании", "Companies that look alike"), ("noDuplicates", "Дублей не найдено", "No duplicates found"),
        ("duplicateWhy", "Совпадает", "Same"), ("reason.phone", "телефон", "phone"), ("reason.email", "e-mail", "e-mail"),
        ("reason.tax_id", "ИНН", "tax id"), ("reason.name", "имя", "name"), ("merge", "Объединить", "Merge"),
        (
            "duplicatesHint", "Пары с одинаковым телефоном, e-mail, ИНН или именем (контакты — в одной компании).",
            "Pairs with the same phone, e-mail, tax id or name (contacts: at the same company)."
        ),
        ("mergeHeading", "Объединение", "Merge"), ("mergeKept", "Остаётся", "Kept"), ("mergeMerged", "Удаляется", "Merged away"),
        ("mergeBoth", "оба", "both"), ("mergeField", "Поле", "Field"), ("mergeDeals", "Сделок", "Deals"),
        ("mergeSwap", "Оставить другую запись", "Keep the other one instead"),
        (
            "mergeRule", "Сделки, задачи, заметки и история удаляемой записи перейдут к остающейся; её номер будет открывать остающуюся.",
            "The deals, tasks, notes and timeline of the record merged away move to the one kept; its number will open the one kept."
        ),
        ("mergeSubmit", "Объединить записи", "Merge the records"), ("empty", "пусто", "empty"),
        ("looksLikeCompany", "Похоже, такая компания уже есть:", "This looks like an existing company:"),
    ]
}
