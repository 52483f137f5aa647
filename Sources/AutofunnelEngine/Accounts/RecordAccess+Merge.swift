import AutofunnelCore
import AutofunnelStore

extension RecordAccess {
    /// Merging deletes one of the two records, so it is for those who delete contacts and companies (admins and heads
    /// of sales); a field whose value is picked must be one the caller may change.
    public func requireMerge(_ entity: FieldEntity, picks: [String: MergePick], catalog: FieldCatalog) throws {
        try requireWriter()
        try requirePartyDeleter()
        let builtins = ["phones", "emails"].filter { picks[$0] != nil }
        let custom = picks.keys.filter { !PartyService.contactMergeFields.contains($0) }.reduce(into: [String: JSONValue]()) { $0[$1] = .null }
        try requireWritable(entity, builtins: builtins, custom: custom, catalog: catalog)
    }
}
