import AutofunnelCore

/// The other CRM's pipelines and statuses as ours: a pipeline already here (same key or name) is used as it is, its
/// stages matched by key or name, the won status to its won stage and a lost one to the lost stage of the same name
/// or its first; a pipeline not here yet gets a definition to apply, with a stage per status (keys from the names,
/// `LiveKeys`), open ones as process stages and the closing ones as conversion stages.
public struct LiveStages: Sendable, Equatable {
    /// One remote pipeline as ours.
    public struct Entry: Sendable, Equatable {
        public var remoteID: String
        public var key: PipelineKey
        /// The definition to apply; nil when the pipeline is here already.
        public var definition: PipelineDefinition?
        /// Our stage for each remote status id. A status with no stage here is missing: its deals are refused.
        public var stages: [String: StageKey]
    }

    public var entries: [String: Entry]

    /// Maps `remote` onto `existing`.
    public init(remote: [RemotePipeline], existing: [Pipeline]) {
        var entries: [String: Entry] = [:]
        var taken = Set(existing.map(\.key.rawValue))
        for pipeline in remote {
            let key = LiveKeys.key(pipeline.name, fallback: "p" + pipeline.id)
            let lower = pipeline.name.lowercased()
            if let here = existing.first(where: { $0.key.rawValue == key || $0.name.ru.lowercased() == lower || $0.name.en.lowercased() == lower }) {
                entries[pipeline.id] = Entry(remoteID: pipeline.id, key: here.key, definition: nil, stages: Self.match(pipeline, to: here))
            } else {
                let (definition, stages) = Self.define(pipeline, key: LiveKeys.unique(key, in: &taken))
                entries[pipeline.id] = Entry(remoteID: pipeline.id, key: PipelineKey(definition.key), definition: definition, stages: stages)
            }
        }
        self.entries = entries
    }

    /// Our pipeline and stage of a remote status; nil for a pipeline we do not have, a missing stage key `s<id>`.
    public func stage(pipeline: String, status: String) -> (PipelineKey, StageKey)? {
        guard let entry = entries[pipeline] else { return nil }
        return (entry.key, entry.stages[status] ?? StageKey(LiveKeys.clean(status)))
    }

    /// The definitions to apply, in the remote order of their pipelines.
    public func definitions(order: [RemotePipeline]) -> [PipelineDefinition] { order.compactMap { entries[$0.id]?.definition } }

    static func match(_ remote: RemotePipeline, to here: Pipeline) -> [String: StageKey] {
        var out: [String: StageKey] = [:]
        for status in remote.statuses {
            let lower = status.name.lowercased()
            let key = LiveKeys.key(status.name, fallback: "s" + status.id)
            let named = here.stages.first { $0.key.rawValue == key || $0.name.ru.lowercased() == lower || $0.name.en.lowercased() == lower }
            switch status.outcome {
            case .won?: out[status.id] = here.wonStage.key
            case .lost?: out[status.id] = (named?.outcome == .lost ? named : here.lostStages.first)?.key
            case nil: out[status.id] = named?.key
            }
        }
        return out
    }

    static func define(_ remote: RemotePipeline, key: String) -> (PipelineDefinition, [String: StageKey]) {
        var taken: Set<String> = []
        var stages: [String: StageKey] = [:]
        var specs: [PipelineDefinition.StageSpec] = []
        var statuses = remote.statuses.filter { $0.outcome == nil }
        let won = remote.statuses.filter { $0.outcome == .won }
        statuses += won.isEmpty ? [RemoteStatus(id: "won", name: "Успешно", outcome: .won)] : Array(won.prefix(1))
        let lost = remote.statuses.filter { $0.outcome == .lost }
        statuses += lost.isEmpty ? [RemoteStatus(id: "lost", name: "Провал", outcome: .lost)] : lost
        if statuses.first?.outcome != nil { statuses.insert(RemoteStatus(id: "new", name: "Новая"), at: 0) }
        for status in statuses {
            let stageKey = LiveKeys.unique(LiveKeys.key(status.name, fallback: "s" + status.id), in: &taken)
            stages[status.id] = StageKey(stageKey)
            let name = String(status.name.prefix(200))
            specs.append(
                .init(
                    key: stageKey, name: Localized(ru: name, en: name), kind: status.outcome == nil ? .process : .conversion, outcome: status.outcome)
            )
        }
        // A second won status (never seen in either CRM) is taken as the one won stage.
        for extra in won.dropFirst() { stages[extra.id] = stages[won[0].id] }
        let name = String(remote.name.prefix(200))
        return (PipelineDefinition(key: key, name: Localized(ru: name, en: name), stages: specs), stages)
    }
}
