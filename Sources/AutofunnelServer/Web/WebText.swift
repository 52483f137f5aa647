import AutofunnelCore
import AutofunnelEngine

/// The words of the pages, in Russian and English. Templates read them as `{{t.key}}`.
enum WebText {
    static func labels(_ locale: User.Locale) -> [String: String] { locale == .ru ? ru : en }

    static let ru: [String: String] = Dictionary(uniqueKeysWithValues: table.map { ($0.0, $0.1) })
    static let en: [String: String] = Dictionary(uniqueKeysWithValues: table.map { ($0.0, $0.2) })

    static let table: [(String, String, String)] =
        [
            ("navigation", "Разделы", "Sections"), ("board", "Воронка", "Board"), ("tasks", "Задачи", "Tasks"),
            ("analytics", "Аналитика", "Analytics"), ("settings", "Настройки", "Settings"), ("signOut", "Выйти", "Sign out"),
            ("switchLanguage", "Switch to English", "Переключить на русский"), ("otherLanguage", "EN", "RU"),
            ("pipeline", "Воронка", "Pipeline"), ("pipelines", "Воронки", "Pipelines"), ("open", "Открыть", "Open"),
            ("mine", "Мои", "Mine"), ("responsible", "Ответственный", "Responsible"), ("anyone", "Все", "Anyone"),
            ("search", "Поиск", "Search"), ("apply", "Применить", "Apply"), ("newDeal", "Новая сделка", "New deal"),
            ("create", "Создать", "Create"), ("keyStage", "Ключевой этап", "Key stage"), ("won", "Успешно", "Won"),
            ("lost", "Закрыто и не реализовано", "Lost"), ("fillToMove", "Заполните поля, чтобы перейти", "Fill in to move on"),
            ("saveAndMove", "Сохранить и перенести", "Save and move"), ("cancel", "Отмена", "Cancel"),
            ("loseDeal", "Закрыть как нереализованную", "Close as lost"), ("reason", "Причина", "Reason"),
            ("comment", "Комментарий", "Comment"), ("lose", "Закрыть", "Close as lost"), ("currency", "Валюта", "Currency"),
            ("yes", "да", "yes"), ("failed", "Не получилось, попробуйте ещё раз", "That did not work, try again"),
            ("choose", "— выберите —", "— choose —"), ("timeInStage", "Время на этапе", "Time in stage"),
            ("openTasks", "Открытые задачи", "Open tasks"), ("moveTo", "Перенести на этап", "Move to"),
            ("more", "Ещё", "More"), ("stage", "Этап", "Stage"), ("amount", "Сумма", "Amount"), ("status", "Статус", "Status"),
            ("stagePath", "Путь по этапам", "Stage path"), ("whatToDo", "Что делать на этапе", "What to do here"),
            ("neededToLeave", "Нужно для перехода", "Needed to move on"), ("fields", "Поля", "Fields"), ("save", "Сохранить", "Save"),
            ("timeline", "История", "Timeline"), ("contact", "Контакт", "Contact"), ("complete", "Выполнить", "Complete"),
            ("postponeBy", "Отложить на", "Postpone by"), ("day", "день", "day"), ("days", "дн.", "days"),
            ("postpone", "Отложить", "Postpone"), ("done", "выполнена", "done"), ("newTask", "Новая задача", "New task"),
            ("dueIn", "Срок", "Due"), ("today", "сегодня", "today"), ("add", "Добавить", "Add"), ("actions", "Действия", "Actions"),
            ("move", "Перенести", "Move"), ("closeWon", "Закрыть как успешную", "Close as won"),
            ("copyTo", "Закрыть и скопировать в воронку", "Close and copy to pipeline"), ("copy", "Скопировать", "Copy"),
            ("reopenReason", "Почему открываем снова", "Why reopen"), ("reopen", "Открыть снова", "Reopen"),
            ("documents", "Документы", "Documents"), ("title", "Название", "Title"), ("source", "Источник", "Source"),
            ("myTasksToday", "Мои задачи на сегодня и просроченные", "My tasks due today and overdue"),
            ("teamOverdue", "Просроченные задачи команды", "The team's overdue tasks"), ("noTasks", "Задач нет", "No tasks"),
            ("period", "Период", "Period"), ("allTime", "всё время", "all time"), ("reached", "Дошли", "Reached"),
            ("ofAll", "Доля от всех", "Share of all"), ("stepConversion", "Конверсия шага", "Step conversion"),
            ("deals", "Сделок", "Deals"), ("comments", "Комментарии", "Comments"), ("entered", "Вошли", "Entered"),
            ("advanced", "Прошли дальше", "Advanced"), ("visits", "Заходов", "Visits"), ("openNow", "Сейчас на этапе", "Open now"),
            ("overLimit", "Сверх срока", "Over the limit"), ("openDeals", "Открыты", "Open"), ("probability", "Вероятность", "Probability"),
            ("conversion", "Конверсия по этапам", "Conversion by stage"),
            ("lossReasons", "Причины отказа", "Loss reasons"), ("byManager", "Конверсия по менеджерам", "Step conversion per manager"),
            ("forecast", "Прогноз", "Forecast"), ("definition", "Описание воронки (YAML)", "Definition (YAML)"),
            ("downloadYAML", "Скачать YAML", "Download YAML"), ("exportCSV", "Выгрузить CSV", "Export CSV"),
            ("changes", "Изменения новой версии", "Changes in the new version"),
            ("noChanges", "Изменений нет", "No changes"), ("applyVersion", "Применить новую версию", "Apply the new version"),
            ("uploadVersion", "Новая версия", "New version"), ("definitionText", "Текст описания (YAML или JSON)", "Definition text (YAML or JSON)"),
            ("definitionFile", "Файл описания", "Definition file"), ("previewChanges", "Показать изменения", "Preview the changes"),
            ("lintFindings", "Проверка воронок", "Funnel lint"),
            ("errors", "Ошибок", "Errors"), ("warnings", "замечаний", "warnings"), ("severity", "Важность", "Severity"),
            ("where", "Где", "Where"), ("rule", "Правило", "Rule"), ("whatToFix", "Что и как исправить", "What and how to fix"),
            ("automation", "автоматизация", "automation"), ("import", "импорт", "import"),
            ("forecastOdds", "Вероятность выиграть по этапам", "Odds of winning by stage"), ("basis", "Основание", "Basis"),
            ("timeToWon", "Медиана до успеха", "Median time to won"), ("history", "история", "history"),
            ("basis.configured", "задана в воронке", "set in the pipeline"), ("basis.none", "нет данных", "no data"),
            ("closeMonth", "Месяц закрытия", "Close month"), ("expected", "Ожидается", "Expected"),
            ("status.open", "в работе", "open"), ("status.won", "успешно", "won"), ("status.lost", "не реализована", "lost"),
        ] + events + fieldNames + tokens

    static let tokens: [(String, String, String)] = [
        ("apiTokens", "API-токены", "API tokens"), ("tokenName", "Название", "Name"), ("newToken", "Новый токен", "New token"),
        ("myTokens", "Мои токены", "My tokens"),
        ("tokenScope", "Права", "Scope"), ("tokenStart", "Начало", "Starts with"), ("tokenCreated", "Создан", "Created"),
        ("tokenLastUsed", "Использован", "Last used"), ("revoke", "Отозвать", "Revoke"), ("tokenRevoked", "отозван", "revoked"),
        ("noTokens", "Токенов нет", "No tokens"), ("tokenIssued", "Токен создан", "Token created"),
        (
            "tokenShownOnce", "Скопируйте его сейчас: он показывается один раз, у нас хранится только его хэш.",
            "Copy it now: it is shown once, and only its hash is stored."
        ),
        (
            "tokenUse", "Передавайте токен в заголовке Authorization: Bearer <токен>. Права токена не шире ваших.",
            "Send it as Authorization: Bearer <token>. A token never has more rights than you."
        ),
    ]

    static let events: [(String, String, String)] = [
        ("event.created", "Создана", "Created"), ("event.field", "Изменено поле", "Field changed"), ("event.stage", "Смена этапа", "Stage changed"),
        ("event.note", "Заметка", "Note"), ("event.reopen", "Открыта снова", "Reopened"), ("event.copy", "Копия", "Copy"),
        ("event.task", "Задача", "Task"), ("event.task_done", "Задача выполнена", "Task done"),
        ("event.task_postponed", "Задача отложена", "Task postponed"), ("event.task_overdue", "Задача просрочена", "Task overdue"),
        ("event.automation_error", "Ошибка автоматизации", "Automation error"), ("event.message_out", "Сообщение отправлено", "Message sent"),
        ("event.message_in", "Сообщение получено", "Message received"), ("event.message_skipped", "Сообщение не отправлено", "Message skipped"),
        ("event.call_out", "Запрос во внешнюю систему", "Outside system called"),
        ("event.callback", "Ответ внешней системы", "Outside system answered"),
        ("event.document", "Документ", "Document"), ("event.follow_up", "Повторная сделка", "Follow-up deal"),
    ]

    static let fieldNames: [(String, String, String)] = [
        ("field.title", "Название", "Title"), ("field.amount", "Сумма", "Amount"), ("field.stage", "Этап", "Stage"),
        ("field.status", "Статус", "Status"), ("field.responsible", "Ответственный", "Responsible"), ("field.headOfSales", "РОП", "Head of sales"),
        ("field.contact", "Контакт", "Contact"), ("field.company", "Компания", "Company"), ("field.source", "Источник", "Source"),
        ("field.lossComment", "Комментарий к отказу", "Loss comment"),
    ]
}
