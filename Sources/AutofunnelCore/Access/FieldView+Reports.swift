/// Reports (JSON, CSV and the analytics page) as the reader may see them.
extension FieldView {
    /// The loss report without the comments or amounts of a reader who may not see loss comments or amounts.
    public func losses(_ r: LossReport) -> LossReport {
        var out = r
        for i in out.reasons.indices {
            if !shows(.deal, "lossComment") { out.reasons[i].comments = [] }
            if !shows(.deal, "amount") { out.reasons[i].amounts = [] }
        }
        return out
    }

    /// The filters of a report's scope that name a field hidden from the reader (the contact field `segment`, the
    /// deal's `source` or `responsibleId`): counting by a value one may not see would tell the value.
    public func hiddenFilters(_ scope: ReportScope) -> [String] {
        var out: [String] = []
        if scope.segment != nil && !shows(.contact, "segment") { out.append("segment") }
        if scope.source != nil && !shows(.deal, "source") { out.append("source") }
        if scope.responsible != nil && !shows(.deal, "responsibleId") { out.append("responsibleId") }
        return out
    }
}
