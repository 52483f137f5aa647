import AutofunnelCore
import AutofunnelEngine

/// Pipelines and stages with amoCRM's integer ids, derived from our keys alone (nothing is stored, the same pipelines
/// give the same ids on every start and every instance): a pipeline's id is hashed from its key; an open stage's status
/// id from its pipeline's and its own key; the won stage is 142 and every lost stage 143, as amoCRM's closing statuses
/// are, the lost stage being the lead's loss reason (`loss_reason_id`, hashed from the stage key).
struct AmoCRMCatalog: Sendable {
    /// One pipeline with its amoCRM id.
    struct Entry: Sendable {
        var id: Int64
        var pipeline: Pipeline
        var sort: Int
        var isMain: Bool
    }

    /// amoCRM's status id of "closed – won".
    static let won: Int64 = 142
    /// amoCRM's status id of "closed – lost".
    static let lost: Int64 = 143

    let entries: [Entry]

    init(pipelines: [Pipeline]) {
        var used: Set<Int64> = []
        entries = pipelines.enumerated().map { index, pipeline in
            var id = 1_000_000 + StableID.of("amocrm/" + pipeline.key.rawValue, modulo: 8_999_999)
            while used.contains(id) { id += 1 }
            used.insert(id)
            return Entry(id: id, pipeline: pipeline, sort: (index + 1) * 10, isMain: index == 0)
        }
    }

    func entry(id: Int64) -> Entry? { entries.first { $0.id == id } }

    func entry(of key: PipelineKey) -> Entry? { entries.first { $0.pipeline.key == key } }

    /// The status id of a stage.
    static func statusID(_ stage: Stage, in pipeline: Pipeline) -> Int64 {
        switch stage.outcome {
        case .won: won
        case .lost: lost
        case nil: 1000 + StableID.of("amocrm/" + pipeline.key.rawValue + "/" + stage.key.rawValue, modulo: 2_000_000_000)
        }
    }

    /// The loss reason of a lost stage: the same for stages of the same key in every pipeline, as amoCRM's loss reasons
    /// belong to the account.
    static func lossReasonID(_ stage: StageKey) -> Int64 { 1000 + StableID.of("amocrm/loss/" + stage.rawValue, modulo: 2_000_000_000) }

    /// The stages a pipeline shows amoCRM: the open ones, the won one, and its first lost stage standing for all of them.
    static func statusStages(_ pipeline: Pipeline) -> [Stage] {
        pipeline.openStages + [pipeline.wonStage] + Array(pipeline.lostStages.prefix(1))
    }

    /// Every lost stage of every pipeline, one per key (the first pipeline's names), in pipeline and stage order.
    var lossReasons: [Stage] {
        var seen: Set<StageKey> = []
        return entries.flatMap(\.pipeline.lostStages).filter { seen.insert($0.key).inserted }
    }

    /// The status id of a deal's stage.
    func statusID(of deal: Deal) -> Int64? {
        guard let pipeline = entry(of: deal.pipeline)?.pipeline, let stage = pipeline.stage(deal.stage) else { return nil }
        return Self.statusID(stage, in: pipeline)
    }

    /// The pipeline and stage a status id names: in `within` (the pipeline sent or the lead's) when given, else in the
    /// pipeline whose stage has that id (142 and 143, shared by every pipeline, then mean the main one). 143 is the lost
    /// stage of `lossReason` when given, else the first lost stage.
    func resolve(statusID: Int64, within: Entry?, lossReason: Int64? = nil) -> (Entry, Stage)? {
        for entry in within.map({ [$0] }) ?? entries {
            let pipeline = entry.pipeline
            if statusID == Self.lost, let lossReason {
                guard let stage = pipeline.lostStages.first(where: { Self.lossReasonID($0.key) == lossReason }) else { return nil }
                return (entry, stage)
            }
            if let stage = pipeline.stages.first(where: { Self.statusID($0, in: pipeline) == statusID }) { return (entry, stage) }
        }
        return nil
    }

    /// The `sort` of a stage: open stages in order, then won, then lost, as amoCRM sorts them.
    static func sort(_ stage: Stage, index: Int) -> Int {
        switch stage.outcome {
        case .won: 10_000
        case .lost: 11_000
        case nil: (index + 1) * 10
        }
    }

    /// A status as amoCRM writes it; `type` 0 is an ordinary status (1 would be "unsorted", which we do not have). The
    /// lost status has amoCRM's name: each lost stage is a loss reason.
    static func status(_ stage: Stage, index: Int, in entry: Entry, russian: Bool, base: String) -> JSONValue {
        let id = statusID(stage, in: entry.pipeline)
        let color =
            switch stage.outcome {
            case .won: "#CCFF66"
            case .lost: "#D5D8DB"
            case nil: "#99CCFF"
            }
        let name = stage.outcome == .lost ? (russian ? "Закрыто и не реализовано" : "Closed - lost") : (russian ? stage.name.ru : stage.name.en)
        return .object([
            "id": .number(Double(id)), "name": .string(name), "sort": .number(Double(sort(stage, index: index))),
            "is_editable": .bool(!stage.isClosing), "pipeline_id": .number(Double(entry.id)), "color": .string(color), "type": .number(0),
            "account_id": .number(Double(AmoCRMMethods.accountID)),
            "_links": AmoCRMMethods.selfLink("\(base)/leads/pipelines/\(entry.id)/statuses/\(id)"),
        ])
    }

    /// A pipeline as amoCRM writes it, with its statuses embedded.
    static func pipeline(_ entry: Entry, russian: Bool, base: String) -> JSONValue {
        let statuses = statusStages(entry.pipeline).enumerated().map { status($1, index: $0, in: entry, russian: russian, base: base) }
        return .object([
            "id": .number(Double(entry.id)), "name": .string(russian ? entry.pipeline.name.ru : entry.pipeline.name.en),
            "sort": .number(Double(entry.sort)), "is_main": .bool(entry.isMain), "is_unsorted_on": .bool(false), "is_archive": .bool(false),
            "account_id": .number(Double(AmoCRMMethods.accountID)), "_links": AmoCRMMethods.selfLink("\(base)/leads/pipelines/\(entry.id)"),
            "_embedded": .object(["statuses": .array(statuses)]),
        ])
    }
}
