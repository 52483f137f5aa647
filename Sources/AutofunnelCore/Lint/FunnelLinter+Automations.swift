extension AutomationRule {
    /// Whether the rule makes a task when a deal enters (or sits in) the stage.
    func createsTask(on stage: StageKey) -> Bool {
        let tasks = actions.contains { if case .createTask = $0 { true } else { false } }
        switch trigger {
        case .stageEntered(let s), .timeInStage(let s, _): return tasks && s == stage
        default: return false
        }
    }

    /// Whether the rule sets the responsible.
    var changesResponsible: Bool {
        actions.contains { action in
            switch action {
            case .setResponsible: return true
            case .setField(let field, _): return field == "responsibleId"
            default: return false
            }
        }
    }

    /// Whether the rule only runs for closed deals (a condition on `status` being won or lost).
    var requiresClosedDeal: Bool {
        func closed(_ c: Condition) -> Bool {
            switch c {
            case .equals("status", let v): return v == .string("won") || v == .string("lost")
            case .oneOf("status", let vs): return !vs.isEmpty && !vs.contains(.string("open"))
            case .all(let cs): return cs.contains(where: closed)
            default: return false
            }
        }
        return closed(condition)
    }
}

extension FunnelLinter {
    /// Mistakes 3 and 9, rule loops, and copies into pipelines that do not exist.
    static func automationRules(_ p: Pipeline, known: Set<PipelineKey>) -> [LintFinding] {
        var out: [LintFinding] = []
        let sends = p.automations.contains { $0.actions.contains { if case .sendMessage = $0 { true } else { false } } }
        if !sends {
            out.append(
                LintFinding(
                    rule: "no-warming-messages", mistake: 3, severity: .warning, location: p.key.rawValue,
                    message: .init(
                        ru: "Воронка не отправляет клиентам ни одного утепляющего сообщения", en: "The pipeline sends customers no warming message"),
                    fix: .init(
                        ru: "Добавьте send_message на первых этапах и там, где сделки зависают (time_in_stage)",
                        en: "Add send_message rules on the first stages and where deals stall (time_in_stage)")))
        }
        for rule in p.automations {
            let location = "\(p.key).automations.\(rule.key)"
            let closes = rule.actions.contains { if case .closeWon = $0 { true } else if case .closeLost = $0 { true } else { false } }
            let onClosing: Bool = {
                if case .stageEntered(let s) = rule.trigger { return p.stage(s)?.isClosing ?? false }
                return false
            }()
            for action in rule.actions {
                switch action {
                case .copyToPipeline(let target, _) where !known.contains(target), .openDeal(let target, _, _) where !known.contains(target):
                    out.append(
                        LintFinding(
                            rule: "unknown-target-pipeline", severity: .error, location: location,
                            message: .init(
                                ru: "Правило ведёт в несуществующую воронку «\(target)»", en: "The rule sends deals to a missing pipeline '\(target)'"
                            ),
                            fix: .init(
                                ru: "Создайте воронку «\(target)» или исправьте ключ", en: "Create the pipeline '\(target)' or correct the key")))
                case .openDeal(let target, _, _) where target != p.key && !closes && !onClosing && !rule.requiresClosedDeal:
                    out.append(
                        LintFinding(
                            rule: "moved-without-closing", mistake: 9, severity: .warning, location: location,
                            message: .init(
                                ru: "Сделка открывается в «\(target)», а здесь остаётся открытой: воронки считают её дважды",
                                en: "A deal opens in '\(target)' while this one stays open: both pipelines count it"),
                            fix: .init(
                                ru: "Используйте copy_to_pipeline (закрывает успешной и копирует) или закройте сделку в этом правиле",
                                en: "Use copy_to_pipeline (closes as won and copies) or close the deal in the same rule")))
                default: break
                }
            }
        }
        out += loops(p)
        return out
    }

    /// Rule chains that can re-trigger themselves: an event a rule reacts to leads, through the actions of rules, back
    /// to the same event.
    static func loops(_ p: Pipeline) -> [LintFinding] {
        func node(_ trigger: AutomationRule.Trigger) -> String? {
            switch trigger {
            case .stageEntered(let s): return "enter:\(s)"
            case .stageLeft(let s): return "leave:\(s)"
            case .fieldChanged(let f, _): return "field:\(f)"
            default: return nil
            }
        }
        var edges: [String: [(to: String, rule: String)]] = [:]
        for rule in p.automations {
            guard let from = node(rule.trigger) else { continue }
            let left: [String] = if case .stageEntered(let s) = rule.trigger { ["leave:\(s)"] } else { [] }
            for action in rule.actions {
                var targets: [String] = []
                switch action {
                case .move(let s): targets = ["enter:\(s)"] + left
                case .closeWon: targets = ["enter:\(p.wonStage.key)"] + left
                case .closeLost(let s, _): targets = ["enter:\(s)"] + left
                case .setField(let f, _): targets = ["field:\(f)"]
                case .setResponsible: targets = ["field:responsibleId"]
                default: break
                }
                for t in targets { edges[from, default: []].append((t, rule.key)) }
            }
        }
        var reported: Set<Set<String>> = []
        var out: [LintFinding] = []
        for start in edges.keys.sorted() {
            var stack: [(node: String, rules: [String])] = [(start, [])]
            var seen: Set<String> = []
            while let (current, rules) = stack.popLast() {
                for edge in edges[current] ?? [] {
                    let path = rules + [edge.rule]
                    if edge.to == start {
                        let set = Set(path)
                        if reported.insert(set).inserted {
                            out.append(
                                LintFinding(
                                    rule: "automation-loop", severity: .error, location: "\(p.key).automations.\(path[0])",
                                    message: .init(
                                        ru: "Правила зацикливаются: \(path.joined(separator: " → "))",
                                        en: "Rules loop: \(path.joined(separator: " → "))"),
                                    fix: .init(
                                        ru: "Добавьте условие (when) или уберите одно из действий цикла",
                                        en: "Add a condition (when) or drop one of the actions in the loop")))
                        }
                    } else if seen.insert(edge.to).inserted {
                        stack.append((edge.to, path))
                    }
                }
            }
        }
        return out
    }
}
