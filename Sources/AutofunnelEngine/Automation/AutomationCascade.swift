import AutofunnelCore
import AutofunnelStore

/// What one cascade of rule-caused events has done so far: how deep it is and which rules fired on which deal. It
/// lives as long as the transaction of its cause.
struct AutomationCascade {
    var depth = 0
    var fired: Set<String> = []
    /// Definitions read once per cascade: a pipeline is parsed from its stored file, which costs more than the rest.
    var catalog: FieldCatalog?
    var pipelines: [PipelineKey: Pipeline] = [:]
    /// Whether any rule acted: if none did, the deal is as its command left it and need not be read again.
    var touched = false

    /// A new cascade that reuses the definitions another has read (timers fired together in one transaction).
    init(sharing other: AutomationCascade) {
        catalog = other.catalog
        pipelines = other.pipelines
    }

    init(catalog: FieldCatalog? = nil, pipelines: [PipelineKey: Pipeline] = [:]) {
        self.catalog = catalog
        self.pipelines = pipelines
    }

    /// Keeps the definitions a finished cascade read.
    mutating func keepDefinitions(of other: AutomationCascade) {
        catalog = other.catalog ?? catalog
        pipelines.merge(other.pipelines) { _, new in new }
    }

    mutating func catalog(_ s: StoreSession) async throws -> FieldCatalog {
        if let catalog { return catalog }
        let read = try await s.fieldCatalog()
        catalog = read
        return read
    }

    mutating func pipeline(_ key: PipelineKey, _ s: StoreSession) async throws -> Pipeline? {
        if let p = pipelines[key] { return p }
        guard let p = try await s.pipeline(key, catalog: try await catalog(s)) else { return nil }
        pipelines[key] = p
        return p
    }
}
