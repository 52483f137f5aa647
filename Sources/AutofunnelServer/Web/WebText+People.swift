extension WebText {
    static let people: [(String, String, String)] = [
        ("people", "Люди и доступ", "People and access"), ("peopleUsers", "Пользователи", "Users"),
        ("peopleTeam", "Команда (только просмотр)", "The team (read only)"), ("peopleName", "Имя", "Name"), ("peopleEmail", "E-mail", "E-mail"),
        ("peopleRole", "Роль", "Role"), ("peopleStatus", "Статус", "Status"), ("peopleLastSignIn", "Последний вход", "Last sign-in"),
        ("peopleActive", "активен", "active"), ("peopleDisabled", "отключён", "disabled"), ("peopleNew", "Новый пользователь", "New user"),
        ("peopleLanguage", "Язык", "Language"), ("peopleLink", "Ссылка для входа", "Sign-in link"),
        (
            "peopleLinkOnce",
            "Передайте эту ссылку пользователю: по ней он один раз задаст пароль. Она действует 72 часа и показывается только сейчас.",
            "Give this link to the user: it sets their password once. It works for 72 hours and is shown only now."
        ),
        ("peopleChangeRole", "Сменить роль", "Change role"), ("peopleDisable", "Отключить", "Disable"), ("peopleEnable", "Включить", "Enable"),
        ("peopleReset", "Сбросить пароль", "Reset password"),
        (
            "peopleResetHint", "Старый пароль перестанет работать, сеансы закончатся; пользователь задаст новый по ссылке.",
            "The old password stops working and sessions end; the user sets a new one with the link."
        ),
        (
            "peopleDisableHint", "Отключённый пользователь не может войти, его сеансы и токены перестают работать.",
            "A disabled user cannot sign in; their sessions and tokens stop working."
        ),
        ("peopleTokens", "API-токены пользователя", "The user's API tokens"), ("peopleGrants", "Доступ к воронкам", "Pipeline access"),
        ("peopleAudit", "Журнал аудита", "Audit log"), ("peopleBack", "Все пользователи", "All users"),
        ("grantDefault", "по роли", "by role"), ("grant.none", "нет доступа", "no access"), ("grant.own", "свои сделки", "own deals"),
        ("grant.read_all", "читать все", "read all"), ("grant.write_all", "все сделки", "all deals"),
        (
            "grantsHint", "Сохраняются только изменённые клетки. «По роли» — доступ, который роль даёт без настройки.",
            "Only the cells you change are saved. \"By role\" is the access the role gives when nothing is set."
        ),
        ("grantsSaved", "Доступ сохранён", "Access saved"), ("grantsNothing", "Изменений нет", "Nothing changed"),
        ("role.admin", "администратор", "admin"), ("role.head_of_sales", "руководитель продаж", "head of sales"),
        ("role.manager", "менеджер", "manager"), ("role.marketer", "маркетолог", "marketer"), ("role.observer", "наблюдатель", "observer"),
        ("auditWhen", "Когда", "When"), ("auditAction", "Действие", "Action"), ("auditActor", "Кто", "Who"), ("auditSubject", "Кого", "Whom"),
        ("auditDetail", "Подробности", "Details"), ("auditAddress", "Адрес", "Address"), ("auditFrom", "С (UTC)", "From (UTC)"),
        ("auditUntil", "По (UTC)", "Until (UTC)"), ("auditAnyAction", "любое действие", "any action"), ("auditAnyone", "кто угодно", "anyone"),
        ("auditCSV", "Скачать CSV", "Download CSV"), ("auditOlder", "Раньше →", "Older →"), ("auditNewest", "← К новым", "← Newest"),
        ("auditEmpty", "Записей нет", "No entries"),
    ]
}
