extension WebText {
    static let time: [(String, String, String)] = [
        ("taskKind", "Вид", "Kind"), ("taskKind.task", "Задача", "Task"), ("taskKind.call", "Звонок", "Call"),
        ("taskKind.meeting", "Встреча", "Meeting"), ("taskKind.email", "Письмо", "E-mail"), ("taskDue", "Когда", "Due"),
        ("tasksDue.overdue", "Просрочено", "Overdue"), ("tasksDue.today", "Сегодня", "Today"), ("tasksDue.tomorrow", "Завтра", "Tomorrow"),
        ("tasksDue.week", "На этой неделе", "This week"), ("tasksDue.later", "Позже", "Later"), ("tasksMine", "Мои", "Mine"),
        ("tasksEveryone", "Все, кого я вижу", "Everyone I can see"), ("anyKind", "Любой", "Any"), ("anyPipeline", "Любая", "Any"),
        ("timesIn", "Время показано в поясе", "Times are shown in"), ("changeTimeZone", "изменить", "change"),
        ("postponeUntil", "Перенести на", "Move to"),
        ("tasksTruncated", "Показаны первые 500 задач — сузьте фильтр", "The first 500 tasks are shown: narrow the filter"),
        ("profile", "Мой профиль", "My profile"), ("timeZone", "Часовой пояс", "Time zone"),
        ("installationZone", "Как у всех (пояс установки)", "The installation's"), ("language", "Язык", "Language"),
        ("saved", "Сохранено", "Saved"), ("calendarFeed", "Календарь задач", "Task calendar"),
        (
            "calendarFeedHint", "Секретная ссылка: подпишитесь на неё в Google Календаре, Outlook или на телефоне, и ваши открытые задачи будут там.",
            "A secret address: subscribe to it in Google Calendar, Outlook or on your phone and your open tasks appear there."
        ),
        ("calendarCreate", "Получить ссылку", "Get an address"),
        ("calendarReplace", "Выдать новую (старая перестанет работать)", "Replace it (the old one stops working)"),
        ("calendarRevoke", "Отключить", "Turn off"),
        ("calendarShownOnce", "Скопируйте ссылку сейчас — она показывается один раз:", "Copy the address now: it is shown only once:"),
        ("calendarSince", "Ссылка выдана", "Address given"), ("calendarNone", "Ссылки нет", "No address yet"),
    ]
}
