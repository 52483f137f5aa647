extension WebText {
    static let noteTexts: [(String, String, String)] = [
        ("notesHeading", "Заметки", "Notes"), ("newNote", "Новая заметка", "New note"), ("addNote", "Добавить заметку", "Add note"),
        (
            "noteHint", "Упомяните коллегу через @ и начало его e-mail до @ (например, @ivan) — он получит уведомление.",
            "Mention a colleague with @ and their e-mail before the @ (e.g. @ivan): they get a notice."
        ),
        ("pinNote", "Закрепить", "Pin"), ("unpinNote", "Открепить", "Unpin"), ("pinned", "Закреплено", "Pinned"),
        ("editNote", "Изменить", "Edit"), ("saveNote", "Сохранить заметку", "Save note"), ("edited", "изменено", "edited"),
        ("dealNotes", "Заметки в сделках", "Notes on the deals"),
        ("event.note_edited", "Заметка изменена", "Note edited"), ("event.note_pinned", "Заметка закреплена", "Note pinned"),
        ("event.note_unpinned", "Заметка откреплена", "Note unpinned"), ("notice.mentioned", "Упоминание в заметке", "Mentioned in a note"),
    ]
}
