/// The words of the contacts and companies pages.
extension WebText {
    static let parties: [(String, String, String)] = [
        ("contacts", "Контакты", "Contacts"), ("companies", "Компании", "Companies"), ("company", "Компания", "Company"),
        ("name", "Имя", "Name"), ("companyName", "Название", "Name"), ("phones", "Телефоны", "Phones"), ("emails", "E-mail", "E-mails"),
        ("phonesHint", "через запятую", "separated by commas"), ("newContact", "Новый контакт", "New contact"),
        ("newCompany", "Новая компания", "New company"), ("segment", "Сегмент", "Segment"), ("hasOpenDeals", "Открытые сделки", "Open deals"),
        ("withOpenDeals", "есть", "some"), ("withoutOpenDeals", "нет", "none"), ("createdFrom", "Создан с", "Created from"),
        ("createdTo", "по", "to"), ("sortBy", "Сортировка", "Sort by"), ("sort.name", "по имени", "by name"),
        ("sort.created", "по дате создания", "by date created"), ("sort.updated", "по дате изменения", "by date changed"),
        ("descending", "в обратном порядке", "descending"), ("created", "Создан", "Created"), ("found", "Найдено", "Found"),
        ("previous", "Назад", "Previous"), ("next", "Дальше", "Next"), ("pageOf", "стр.", "page"),
        ("nothingFound", "Ничего не найдено", "Nothing found"),
        ("searchParties", "Имя, телефон или e-mail", "Name, phone or e-mail"), ("searchCompanyName", "Название", "Name"),
        ("openDealsList", "Открытые сделки", "Open deals"), ("closedDealsList", "Закрытые сделки", "Closed deals"),
        ("noDeals", "Сделок нет", "No deals"),
        ("notes", "Заметки", "Notes"), ("noNotes", "Заметок нет", "No notes"), ("deal", "Сделка", "Deal"), ("delete", "Удалить", "Delete"),
        ("deleteContact", "Удалить контакт", "Delete the contact"), ("deleteCompany", "Удалить компанию", "Delete the company"),
        (
            "deleteRule", "Контакт или компанию, которые нужны открытой сделке, удалить нельзя: сначала закройте сделку или привяжите к ней другой.",
            "A contact or company an open deal uses cannot be deleted: close the deal or link it to another one first."
        ),
        ("companyContacts", "Контакты компании", "The company's contacts"), ("noContacts", "Контактов нет", "No contacts"),
        ("looksLike", "Похоже, такой контакт уже есть:", "This looks like an existing contact:"),
        ("openOrCreate", "Откройте его или всё же создайте новый.", "Open it, or create a new one anyway."),
        ("createAnyway", "Всё равно создать", "Create anyway"), ("noCompany", "— без компании —", "— no company —"),
        ("companyHint", "название существующей компании", "the name of an existing company"),
    ]
}
