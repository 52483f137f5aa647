import AutofunnelCore
import AutofunnelStore

/// What a command needs of the caller, checked inside its transaction on the row it locked.
enum DealNeed {
    /// Change fields, move, close, add notes.
    case edit
    /// Reopen or delete.
    case manage
}

extension DealService {
    /// Refuses a caller who may not do `need` to `deal`: 404 when they may not even see it (ids do not leak), 403 otherwise.
    /// A nil principal is the system itself (command line, demo, automation).
    static func authorize(_ deal: Deal, _ principal: Principal?, _ need: DealNeed) throws {
        guard let p = principal else { return }
        guard p.sees(deal) else { throw AppError.notFound("No deal with id \(deal.id)") }
        let allowed = need == .edit ? p.edits(deal) : p.manages(deal)
        if !allowed {
            throw AppError.forbidden(
                ru: need == .edit
                    ? "Эту сделку можно смотреть, но не менять" : "Открыть снова или удалить сделку может только тот, у кого вся воронка",
                en: need == .edit ? "You may read this deal but not change it" : "Reopening or deleting needs write access to the whole pipeline")
        }
    }

    /// Refuses input that names a field the caller may not write (read-only or hidden for their role), or hands the deal
    /// to another responsible without access to the whole pipeline: the allowlist that stops mass assignment.
    static func authorize(_ input: DealInput, on deal: Deal, _ principal: Principal?, catalog: FieldCatalog) throws {
        guard let p = principal else { return }
        var problems: [Violation] = []
        for name in input.builtinFieldsSent where p.access(.deal, name) != .write {
            problems.append(forbiddenField(name))
        }
        for key in (input.fields ?? [:]).keys.sorted() {
            let definition = catalog.definition(.deal, FieldKey(key))
            if p.access(.deal, key, definition: definition) != .write { problems.append(forbiddenField("fields." + key)) }
        }
        if let responsible = input.responsible, responsible != p.user.id, p.level(deal.pipeline) < .writeAll, responsible != deal.responsible {
            problems.append(
                Violation(
                    rule: .forbiddenField, field: "responsibleId",
                    message: .init(
                        ru: "Передать сделку другому может только тот, у кого вся воронка",
                        en: "Only someone with write access to the whole pipeline can make another user responsible")))
        }
        if !problems.isEmpty { throw AppError.forbidden(problems) }
    }

    public static func forbiddenField(_ field: String) -> Violation {
        Violation(
            rule: .forbiddenField, field: field,
            message: .init(ru: "Поле «\(field)» вам недоступно для изменения", en: "Your role may not change '\(field)'"))
    }
}

extension DealInput {
    /// The built-in attributes this input sets, by their API names.
    var builtinFieldsSent: [String] {
        [
            ("title", title != nil), ("amount", amount != nil), ("responsibleId", responsible != nil), ("headOfSalesId", headOfSales != nil),
            ("contactId", contact != nil), ("companyId", company != nil), ("source", source != nil),
        ].filter(\.1).map(\.0)
    }
}
