extension WebText {
    static let tagTexts: [(String, String, String)] = [
        ("tagsHeading", "Теги", "Tags"), ("noTags", "Тегов нет", "No tags"),
        ("addTagsLabel", "Добавить теги (через запятую)", "Add tags (comma-separated)"), ("addTagsButton", "Добавить теги", "Add tags"),
        ("removeTagLabel", "Убрать тег", "Remove tag"), ("tagFilter", "Тег", "Tag"), ("tagFilterHint", "например, VIP", "e.g. VIP"),
        ("bulkTagsHeading", "Теги выбранных", "Tags of the selected"),
        ("bulkAddTag", "Добавить выбранным", "Add to the selected"), ("bulkRemoveTag", "Убрать у выбранных", "Remove from the selected"),
        ("selectRecord", "Выбрать", "Select"),
    ]
}
