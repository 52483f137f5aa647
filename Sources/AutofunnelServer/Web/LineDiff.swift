/// A line diff of two texts (longest common subsequence), for the preview of a new pipeline definition.
enum LineDiff {
    struct Line {
        /// `same`, `add` or `del`.
        let kind: String
        let text: String
        let mark: String
    }

    static func lines(from old: String, to new: String) -> [Line] {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Definitions are a few hundred lines: the quadratic table is small. Longer texts are shown whole, replaced.
        guard a.count * b.count <= 4_000_000 else {
            return a.map { Line(kind: "del", text: $0, mark: "-") } + b.map { Line(kind: "add", text: $0, mark: "+") }
        }
        var lcs = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var out: [Line] = []
        var (i, j) = (0, 0)
        while i < a.count || j < b.count {
            if i < a.count && j < b.count && a[i] == b[j] {
                out.append(Line(kind: "same", text: a[i], mark: " "))
                i += 1
                j += 1
            } else if j < b.count && (i == a.count || lcs[i][j + 1] >= lcs[i + 1][j]) {
                out.append(Line(kind: "add", text: b[j], mark: "+"))
                j += 1
            } else {
                out.append(Line(kind: "del", text: a[i], mark: "-"))
                i += 1
            }
        }
        return out
    }
}
