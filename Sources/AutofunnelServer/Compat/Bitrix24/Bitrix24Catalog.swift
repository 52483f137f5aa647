import AutofunnelCore
import AutofunnelEngine

/// Pipelines as Bitrix24 deal categories and their stages as statuses, with ids derived from our keys alone: the
/// first pipeline (by creation) is the default category 0, every other one gets a stable number hashed from its key;
/// a stage's `STATUS_ID` is its key in capitals (`NEW_LEAD`), except that the first stage, the won stage and the first
/// lost stage are `NEW`, `WON` and `LOSE`, prefixed `C{category}:` outside the default category. Nothing is stored:
/// the same pipelines give the same ids on every start.
struct Bitrix24Catalog: Sendable {
    /// One pipeline as a category.
    struct Category: Sendable {
        var id: Int64
        var pipeline: Pipeline
        var sort: Int
        var isDefault: Bool { id == 0 }
    }

    let categories: [Category]

    init(pipelines: [Pipeline]) {
        var used: Set<Int64> = [0]
        categories = pipelines.enumerated().map { index, pipeline in
            guard index > 0 else { return Category(id: 0, pipeline: pipeline, sort: 100) }
            var id = StableID.of(pipeline.key.rawValue, modulo: 999_983)
            while used.contains(id) { id += 1 }
            used.insert(id)
            return Category(id: id, pipeline: pipeline, sort: (index + 1) * 100)
        }
    }

    func category(id: Int64) -> Category? { categories.first { $0.id == id } }

    func category(of key: PipelineKey) -> Category? { categories.first { $0.pipeline.key == key } }

    /// The stage's code without the category prefix.
    static func code(_ stage: Stage, in pipeline: Pipeline) -> String {
        let plain = stage.key.rawValue.uppercased()
        var special: String?
        if stage.key == pipeline.firstStage.key {
            special = "NEW"
        } else if stage.outcome == .won {
            special = "WON"
        } else if stage.key == pipeline.lostStages.first?.key {
            special = "LOSE"
        }
        guard let special, !pipeline.stages.contains(where: { $0.key != stage.key && $0.key.rawValue.uppercased() == special }) else {
            return plain
        }
        return special
    }

    /// The `STAGE_ID` of a stage of a category.
    static func stageID(_ stage: Stage, in category: Category) -> String {
        let code = code(stage, in: category.pipeline)
        return category.isDefault ? code : "C\(category.id):\(code)"
    }

    /// The `STAGE_ID` of a deal.
    func stageID(of deal: Deal) -> String? {
        guard let category = category(of: deal.pipeline), let stage = category.pipeline.stage(deal.stage) else { return nil }
        return Self.stageID(stage, in: category)
    }

    /// The category and stage a `STAGE_ID` names: `C12:WON`, or `NEW` (or our own stage key) in `within` — the
    /// category the request names or the deal is in — else in the default category.
    func resolve(stageID raw: String, within: Category? = nil) -> (Category, Stage)? {
        var text = raw.trimmingCharacters(in: .whitespaces)
        var category = within ?? categories.first
        if text.hasPrefix("C"), let colon = text.firstIndex(of: ":"), let id = Int64(text[text.index(after: text.startIndex)..<colon]) {
            category = self.category(id: id)
            text = String(text[text.index(after: colon)...])
        }
        guard let category else { return nil }
        let pipeline = category.pipeline
        if let stage = pipeline.stages.first(where: { Self.code($0, in: pipeline).caseInsensitiveCompare(text) == .orderedSame }) {
            return (category, stage)
        }
        return pipeline.stage(StageKey(text.lowercased())).map { (category, $0) }
    }

    /// `P` (in progress), `S` (won) or `F` (lost).
    static func semantics(_ stage: Stage) -> String {
        switch stage.outcome {
        case .won: "S"
        case .lost: "F"
        case nil: "P"
        }
    }

    /// The `ENTITY_ID` of a category's stages in `crm.status.list`.
    static func entityID(_ category: Category) -> String { category.isDefault ? "DEAL_STAGE" : "DEAL_STAGE_\(category.id)" }

    /// The `crm.status.list` row of a stage.
    static func statusRow(_ stage: Stage, index: Int, in category: Category, russian: Bool) -> JSONValue {
        let semantics = semantics(stage)
        let name = russian ? stage.name.ru : stage.name.en
        let color = semantics == "S" ? "#DBF199" : semantics == "F" ? "#FF5752" : "#39A8EF"
        return .object([
            "ID": .string(String(StableID.of(category.pipeline.key.rawValue + "/" + stage.key.rawValue, modulo: 2_147_483_000))),
            "ENTITY_ID": .string(entityID(category)), "STATUS_ID": .string(stageID(stage, in: category)), "NAME": .string(name),
            "NAME_INIT": .string(name), "SORT": .string(String((index + 1) * 10)), "SYSTEM": .string(stage.isClosing ? "Y" : "N"),
            "CATEGORY_ID": .string(String(category.id)), "COLOR": .string(color), "SEMANTICS": .string(semantics),
            "EXTRA": .object([
                "SEMANTICS": .string(semantics == "S" ? "success" : semantics == "F" ? "failure" : "process"), "COLOR": .string(color),
            ]),
        ])
    }
}
