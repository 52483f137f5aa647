import AutofunnelCore
import Foundation

/// Lint findings as the CLI prints them: lines for people, JSON for tools.
public enum LintReportText {
    /// `error   sales.stages.new  stage-without-task (000 #1): … — fix: …`, then a count.
    public static func text(_ findings: [LintFinding]) -> String {
        var out = ""
        for f in findings {
            let mistake = f.mistake.map { " (000 #\($0))" } ?? ""
            out += "\(f.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))\(f.location)  \(f.rule)\(mistake)\n"
            out += "        \(f.message.en)\n        \(f.message.ru)\n        fix: \(f.fix.en)\n"
        }
        let errors = findings.filter { $0.severity == .error }.count
        out += "\(errors) errors, \(findings.count - errors) warnings\n"
        return out
    }

    /// A JSON object `{findings: [...], errors, warnings}` with the same fields the API returns.
    public static func json(_ findings: [LintFinding]) -> String {
        let errors = findings.filter { $0.severity == .error }.count
        let body: [String: Any] = ["findings": findings.map(object), "errors": errors, "warnings": findings.count - errors]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func object(_ f: LintFinding) -> [String: Any] {
        var o: [String: Any] = [
            "rule": f.rule, "severity": f.severity.rawValue, "location": f.location, "message": ["ru": f.message.ru, "en": f.message.en],
            "fix": ["ru": f.fix.ru, "en": f.fix.en],
        ]
        if let m = f.mistake { o["mistake"] = m }
        return o
    }
}
