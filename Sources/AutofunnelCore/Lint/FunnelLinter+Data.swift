extension FunnelLinter {
    /// Mistake 6 (an overloaded card) and required fields no seller can fill in.
    static func fieldRules(_ p: Pipeline, catalog: FieldCatalog) -> [LintFinding] {
        var out: [LintFinding] = []
        let card = catalog.all(.deal)
        if card.count > maximumCardFields {
            out.append(
                LintFinding(
                    rule: "overloaded-card", mistake: 6, severity: .warning, location: "\(p.key).fields",
                    message: .init(
                        ru: "В карточке сделки \(card.count) полей (больше \(maximumCardFields)): их не заполняют или заполняют наугад",
                        en: "The deal card has \(card.count) fields (more than \(maximumCardFields)): sellers skip them or guess"),
                    fix: .init(ru: "Оставьте поля, по которым работают этапы и отчёты", en: "Keep the fields the stages and reports use")))
        }
        for stage in p.openStages {
            for reference in stage.requiredToLeave {
                let (entity, key): (FieldEntity, FieldKey)
                switch reference {
                case .dealField(let k): (entity, key) = (.deal, k)
                case .contactField(let k): (entity, key) = (.contact, k)
                case .companyField(let k): (entity, key) = (.company, k)
                default: continue
                }
                guard let definition = catalog.definition(entity, key) else { continue }
                let sellers: [Role] = [.manager, .headOfSales]
                let blocked = sellers.filter { role in
                    let user = User(id: UserID(0), email: "", name: "", locale: .en, role: role, createdAt: Timestamp(millis: 0))
                    return Principal(user: user).access(entity, key.rawValue, definition: definition) != .write
                }
                guard blocked.count == sellers.count else { continue }
                out.append(
                    LintFinding(
                        rule: "required-field-not-editable", severity: .error, location: at(p, stage),
                        message: .init(
                            ru: "Поле «\(definition.name.ru)» обязательно на этапе «\(stage.name.ru)», но продавцы не могут его заполнить",
                            en: "'\(definition.name.en)' is required to leave '\(stage.name.en)' but no seller may fill it in"),
                        fix: .init(
                            ru: "Дайте менеджеру или РОПу право записи в поле или уберите его из requiredToLeave",
                            en: "Let managers or heads of sales write the field, or drop it from requiredToLeave")))
            }
        }
        return out
    }

    /// What the stage log shows: mistake 14 (deals hoarded instead of lost), widening steps, many backward moves and
    /// fields nobody fills in.
    static func dataRules(_ p: Pipeline, _ s: LintStats) -> [LintFinding] {
        var out: [LintFinding] = []
        if s.idle > 0 {
            out.append(
                LintFinding(
                    rule: "hoarded-deals", mistake: 14, severity: .warning, location: p.key.rawValue,
                    message: .init(
                        ru: "\(s.idle) открытых сделок без движения 30 дней и больше", en: "\(s.idle) open deals untouched for 30 days or more"),
                    fix: .init(ru: "Проиграйте их с причиной или верните в работу", en: "Lose them with a reason or work them again")))
        }
        for stage in p.openStages {
            let hoarded = s.hoarded[stage.key] ?? 0
            if hoarded > 0 {
                out.append(
                    LintFinding(
                        rule: "hoarded-deals", mistake: 14, severity: .warning, location: at(p, stage),
                        message: .init(
                            ru: "На этапе «\(stage.name.ru)» копятся сделки: \(hoarded) дольше допустимого времени",
                            en: "Deals pile up in '\(stage.name.en)': \(hoarded) past the stage's maximum time"),
                        fix: .init(
                            ru: "Проиграйте их с причиной или включите правило stage_timeout",
                            en: "Lose them with a reason or add a stage_timeout rule")))
            }
            if s.widening.contains(stage.key) {
                out.append(
                    LintFinding(
                        rule: "widening-step", severity: .warning, location: at(p, stage),
                        message: .init(
                            ru: "До этапа «\(stage.name.ru)» дошло больше сделок, чем до предыдущего",
                            en: "More deals reached '\(stage.name.en)' than the stage before it"),
                        fix: .init(
                            ru: "Проверьте порядок этапов и создание сделок сразу на этом этапе",
                            en: "Check the stage order and deals created straight into this stage")))
            }
        }
        if s.moves >= 20 && s.backwardRate > backwardRateLimit {
            let percent = Int((s.backwardRate * 100).rounded())
            out.append(
                LintFinding(
                    rule: "backward-moves", severity: .warning, location: p.key.rawValue,
                    message: .init(
                        ru: "\(percent)% переходов — назад: этапы не в том порядке, в каком идут сделки",
                        en: "\(percent)% of moves go backward: the stages are not in the order deals go"),
                    fix: .init(
                        ru: "Переставьте этапы или сделайте их конверсионными («Получили замечания» вместо возврата)",
                        en: "Reorder the stages or use the conversion form ('Comments received' instead of moving back)")))
        }
        if s.deals >= 20 {
            for (key, count) in s.filled.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where count * 20 < s.deals {
                out.append(
                    LintFinding(
                        rule: "field-never-filled", mistake: 6, severity: .warning, location: "\(p.key).fields.\(key)",
                        message: .init(
                            ru: "Поле «\(key)» заполнено в \(count) из \(s.deals) сделок",
                            en: "Field '\(key)' is filled in on \(count) of \(s.deals) deals"),
                        fix: .init(
                            ru: "Сделайте поле обязательным на нужном этапе или уберите его", en: "Require it on the stage that needs it, or drop it")
                    ))
            }
        }
        return out
    }
}
