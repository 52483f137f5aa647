extension Note {
    /// How long after writing a note its author may still change the text: after that it is a record.
    public static let editWindowMillis: Int64 = 15 * 60 * 1000

    /// The most characters a note's text has.
    public static let maxLength = 20_000

    /// Why `user` may not change this note's text at `now`, or nil when they may: only its author, and only within
    /// `editWindowMillis` of writing it. Nobody else may, an admin included.
    public func editRefusal(by user: UserID, at now: Timestamp) -> EditRefusal? {
        guard author == user else { return .notAuthor }
        let (age, overflow) = now.millis.subtractingReportingOverflow(createdAt.millis)
        guard !overflow, age <= Self.editWindowMillis else { return .tooLate }
        return nil
    }

    /// Why a note's text cannot be changed.
    public enum EditRefusal: Hashable, Sendable {
        /// Someone else wrote it.
        case notAuthor
        /// Its author's window to change it has passed.
        case tooLate
    }

    /// The ordering a card lists notes in: pinned first, then newest first.
    public static func cardOrder(_ a: Note, _ b: Note) -> Bool {
        if a.pinned != b.pinned { return a.pinned }
        return (a.createdAt.millis, a.id.rawValue) > (b.createdAt.millis, b.id.rawValue)
    }
}
