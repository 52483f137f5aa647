/// Whose value a merge keeps for one field: the record kept, the record merged away, or both (phones and e-mails).
public enum MergePick: String, Sendable, CaseIterable {
    case kept, merged, both
}
