extension WebText {
    static let notices: [(String, String, String)] = [
        ("notices", "Уведомления", "Notices"), ("markRead", "Прочитано", "Mark read"), ("markAllRead", "Отметить все прочитанными", "Mark all read"),
        ("noNotices", "Уведомлений нет", "No notices"), ("openDeal", "Открыть сделку", "Open the deal"),
        ("notice.task_overdue", "Просроченная задача", "Overdue task"), ("notice.automation_error", "Ошибка автоматизации", "Automation error"),
        ("notice.deal_assigned", "Вам передали сделку", "Deal handed to you"), ("noticesByMail", "Уведомления на почту", "Notices by e-mail"),
        (
            "noticesByMailHint", "Отмеченные виды приходят и письмом: не чаще одного письма-сводки в час.",
            "The kinds ticked also come by e-mail: one digest an hour at most."
        ),
        (
            "noticesNoChannel", "Почтовый канал не настроен — письма начнут уходить, когда администратор его добавит.",
            "No e-mail channel is set up: digests start once an admin adds one."
        ),
    ]
}
