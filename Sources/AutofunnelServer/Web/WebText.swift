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
            ("add", "Добавить", "Add"), ("actions", "Действия", "Actions"),
            ("move", "Перенести", "Move"), ("closeWon", "Закрыть как успешную", "Close as won"),
            ("copyTo", "Закрыть и скопировать в воронку", "Close and copy to pipeline"), ("copy", "Скопировать", "Copy"),
            ("reopenReason", "Почему открываем снова", "Why reopen"), ("reopen", "Открыть снова", "Reopen"),
            ("documents", "Документы", "Documents"), ("title", "Название", "Title"), ("source", "Источник", "Source"),
            ("noTasks", "Задач нет", "No tasks"),
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
        ] + events + fieldNames + tokens + imports + parties + search + time + notices + tagTexts + people + duplicates + noteTexts

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

    static let imports: [(String, String, String)] = [
        ("importDeals", "Импорт сделок", "Import deals"),
        (
            "importIntro",
            "Сделки с контактами, компаниями и историей этапов из файла: выгрузка amoCRM или Битрикс24, наша выгрузка или любой другой файл с сопоставлением столбцов. Повторный импорт того же файла обновляет сделки, а не создаёт копии.",
            "Deals with their contacts, companies and stage history from a file: an amoCRM or Bitrix24 export, our own export, or any other file with a column mapping. Importing the same file again updates the deals, never copies them."
        ),
        ("importUpload", "Загрузить файл", "Upload a file"),
        ("importFile", "Файл со сделками (CSV, XLSX или «Excel» из Битрикс24)", "Deals file (CSV, XLSX or Bitrix24's \"Excel\")"),
        ("importSource", "Откуда файл", "Where the file comes from"), ("importSource.auto", "определить по заголовку", "detect from the header"),
        ("importSource.amocrm", "amoCRM", "amoCRM"), ("importSource.bitrix24", "Битрикс24", "Bitrix24"),
        ("importSource.autofunnel", "Autofunnel (наша выгрузка)", "Autofunnel (our export)"),
        ("importSource.csv", "другая система", "another system"),
        ("importPipeline", "Воронка для строк, где она не указана", "Pipeline of rows that name none"),
        ("importPipelineFromFile", "— как в файле —", "— as the file says —"),
        ("importMappingFile", "Файл сопоставления (YAML), если он уже есть", "Mapping file (YAML), if you have one"),
        ("importHistoryFile", "История смен этапов (CSV), если есть", "Stage history (CSV), if you have one"),
        ("importLimit", "Всё вместе — до 256 МиБ.", "Up to 256 MiB in all."),
        ("importPreviewButton", "Загрузить и посмотреть", "Upload and preview"), ("importRecent", "Последние импорты", "Recent imports"),
        ("importNone", "Импортов ещё не было", "No imports yet"), ("importFileName", "Файл", "File"), ("importWhen", "Когда", "When"),
        ("importCounts", "Создано / обновлено / отклонено", "Created / updated / refused"),
        ("importStatus.queued", "в очереди", "queued"), ("importStatus.running", "идёт", "running"),
        ("importStatus.finished", "завершён", "finished"), ("importStatus.failed", "не удался", "failed"),
        ("importKind.dry", "проверка", "dry run"), ("importKind.real", "импорт", "import"),
        ("importPreview", "Предпросмотр импорта", "Import preview"), ("importFormat", "Прочитан как", "Read as"),
        ("importHeader", "Столбцы файла", "Columns of the file"),
        ("importMapping", "Сопоставление (YAML): заполните каждый «?»", "Mapping (YAML): fill in every \"?\""),
        ("importUnmapped", "Не сопоставлены столбцы", "Columns not mapped"),
        ("importSkipUnmapped", "Пропускать несопоставленное (такие строки будут отклонены)", "Skip what is not mapped (such rows are refused)"),
        ("importUpdatePreview", "Обновить предпросмотр", "Update the preview"),
        ("importCheck", "Проверить, ничего не записывая", "Check, writing nothing"),
        ("importFirstRows", "Первые строки, как они будут импортированы", "The first rows as they will import"),
        ("importRow", "Строка", "Row"), ("importProblems", "Что не так", "Problems"), ("importFine", "будет импортирована", "will be imported"),
        ("importDryRun", "Проверка без записи", "Dry run"), ("importRun", "Импорт", "Import"),
        ("importRowsRead", "Прочитано строк", "Rows read"), ("importRefresh", "Обновить", "Refresh"),
        ("importWouldCreate", "Будет создано", "Would create"), ("importWouldUpdate", "Будет обновлено", "Would update"),
        ("importWouldRefuse", "Будет отклонено", "Would refuse"), ("importCreated", "Создано", "Created"),
        ("importUpdated", "Обновлено", "Updated"), ("importRefused", "Отклонено", "Refused"),
        ("importRowsInFile", "Строк в файле", "Rows in the file"), ("importMoves", "Смен этапов из истории", "Stage changes from the history"),
        ("importResumed", "Продолжен после строки", "Resumed after row"),
        ("importRefusedRows", "Отклонённые строки (первые 20)", "Refused rows (the first 20)"),
        ("importErrorsCSV", "Скачать все отклонённые строки (CSV)", "Download every refused row (CSV)"),
        ("importStart", "Импортировать", "Run the import"), ("importBack", "Вернуться к сопоставлению", "Back to the mapping"),
        ("importNew", "Новый импорт", "New import"), ("importColumn", "Столбец", "Column"), ("importReason", "Причина", "Reason"),
        ("importWhy", "Почему остановился", "Why it stopped"), ("importNote", "Обратите внимание", "Note"),
        ("importGone", "Загруженный файл больше не хранится: загрузите его снова.", "The uploaded file is no longer kept: upload it again."),
        (
            "importInterrupted", "Прерван: сервер остановился. Загрузите файл снова — импорт продолжится.",
            "Interrupted: the server stopped. Upload the file again to resume."
        ),
        (
            "importWaiting", "Страница обновляется сама; без JavaScript нажмите «Обновить».",
            "The page updates itself; without JavaScript, press Refresh."
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
        ("field.lossComment", "Комментарий к отказу", "Loss comment"), ("field.tags", "Теги", "Tags"),
    ]
}
