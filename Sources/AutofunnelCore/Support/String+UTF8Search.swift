extension StringProtocol {
    /// The first range of `needle`, compared as UTF-8 bytes. The standard library's generic `firstRange(of:)` and
    /// `contains(_:)` cost several times more on Linux, and a rule's task templates are searched on every firing.
    public func utf8Range(of needle: String) -> Range<String.Index>? {
        let bytes = utf8
        var pattern = needle.utf8.makeIterator()
        guard let first = pattern.next() else { return nil }
        var i = bytes.startIndex
        while i != bytes.endIndex {
            if bytes[i] == first {
                var j = bytes.index(after: i)
                var k = needle.utf8.index(after: needle.utf8.startIndex)
                while k != needle.utf8.endIndex, j != bytes.endIndex, bytes[j] == needle.utf8[k] {
                    j = bytes.index(after: j)
                    k = needle.utf8.index(after: k)
                }
                if k == needle.utf8.endIndex { return i..<j }
            }
            i = bytes.index(after: i)
        }
        return nil
    }

    /// Whether `needle` occurs, compared as UTF-8 bytes (see `utf8Range(of:)`).
    public func utf8Contains(_ needle: String) -> Bool { utf8Range(of: needle) != nil }
}
