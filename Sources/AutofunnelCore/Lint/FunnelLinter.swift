/// The funnel linter: checks pipeline designs against guide 000's fourteen mistakes and a few structural ones, and,
/// given the stage log's figures, what the data shows. Pure: it reads validated pipelines and returns findings.
public enum FunnelLinter {
    /// More deal fields than this on one pipeline's card is an overloaded card (mistake 6).
    public static let maximumCardFields = 12
    /// A backward-move share above this says the stages are not in the order deals really go.
    public static let backwardRateLimit = 0.2

    /// Every finding for the pipelines linted together (cross-pipeline rules such as "is there a qualification
    /// pipeline" look at all of them), errors first, then by location. `others` are pipelines that exist besides
    /// these (rules may copy deals into them).
    public static func lint(
        _ pipelines: [Pipeline], catalog: FieldCatalog, stats: [PipelineKey: LintStats] = [:], others: Set<PipelineKey> = []
    ) -> [LintFinding] {
        var out: [LintFinding] = []
        let known = others.union(pipelines.map(\.key))
        for p in pipelines {
            out += stageRules(p)
            out += fieldRules(p, catalog: catalog)
            out += automationRules(p, known: known)
            if let s = stats[p.key] { out += dataRules(p, s) }
        }
        out += qualificationRule(pipelines)
        return out.sorted { ($0.severity, $0.location, $0.rule) < ($1.severity, $1.location, $1.rule) }
    }

    /// The exit status of `autofunnel lint`: 0 clean, 1 warnings only, 2 any error.
    public static func exitCode(_ findings: [LintFinding]) -> Int32 {
        if findings.contains(where: { $0.severity == .error }) { return 2 }
        return findings.isEmpty ? 0 : 1
    }

    /// The form a stage name is written in: `process` ("Ожидаем оплату"), `conversion` ("Договор подписан"), or nil.
    public static func nameForm(_ name: Localized) -> Stage.Kind? { StageNames.form(of: name) }

    static func at(_ p: Pipeline, _ stage: Stage) -> String { "\(p.key).stages.\(stage.key)" }

    /// Mistake 10: no qualification pipeline or stage anywhere among the pipelines linted.
    static func qualificationRule(_ pipelines: [Pipeline]) -> [LintFinding] {
        guard !pipelines.isEmpty else { return [] }
        func qualifying(_ key: String, _ name: Localized) -> Bool {
            let text = (key + " " + name.ru + " " + name.en).lowercased()
            return text.contains("qualif") || text.contains("квалиф")
        }
        let found = pipelines.contains { p in qualifying(p.key.rawValue, p.name) || p.stages.contains { qualifying($0.key.rawValue, $0.name) } }
        guard !found else { return [] }
        return [
            LintFinding(
                rule: "no-qualification", mistake: 10, severity: .warning, location: pipelines.map(\.key.rawValue).joined(separator: ","),
                message: .init(
                    ru: "Нет квалификационной воронки или этапа: менеджеры тратят время на тех, кто не купит",
                    en: "No qualification pipeline or stage: sellers spend time on people who will not buy"),
                fix: .init(
                    ru: "Добавьте воронку квалификации (пресет qualification) или этап квалификации в начале",
                    en: "Add a qualification pipeline (the qualification preset) or a qualification stage first"))
        ]
    }
}
