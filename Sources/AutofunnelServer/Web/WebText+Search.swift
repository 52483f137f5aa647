extension WebText {
    static let search: [(String, String, String)] = [
        ("searchEverywhere", "Поиск по сделкам, контактам и компаниям", "Search deals, contacts and companies"),
        ("searchHint", "Название, имя, телефон, e-mail, ИНН", "Title, name, phone, e-mail, tax id"), ("find", "Найти", "Find"),
        ("searchDeals", "Сделки", "Deals"), ("searchContacts", "Контакты", "Contacts"), ("searchCompanies", "Компании", "Companies"),
        ("searchNothing", "Ничего не найдено", "Nothing found"),
        ("searchMore", "Показаны первые 20 — уточните запрос, чтобы найти остальные", "The first 20 are shown: add a word to find the rest"),
    ]
}
