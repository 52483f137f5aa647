/// How messages name each kind of actor.
enum ActorNames {
    static func name(of kind: ActorKind) -> Localized {
        switch kind {
        case .user: Localized(ru: "менеджерам", en: "managers")
        case .automation: Localized(ru: "автоматизации", en: "automation")
        case .api: Localized(ru: "вызовам API", en: "API calls")
        case .import: Localized(ru: "импорту", en: "imports")
        }
    }
}
