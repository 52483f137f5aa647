import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Foundation
import Hummingbird

/// The board of one pipeline: a column of open deals per stage (50 a page), won and lost as drop zones, totals per
/// column, filters. Moves go through the JSON API, so the board takes the one transition path like every client.
struct BoardPage {
    typealias Option = WebOption
    struct Card {
        let id: Int64
        let title: String
        let amount: String?
        let contact: String?
        let responsible: String?
        let age: String
        let ageClass: String
        let tasks: Int
    }
    struct Column {
        let key: String
        let name: String
        let keyStage: Bool
        let count: Int
        let sums: String
        let cards: [Card]
        let more: String?
    }
    struct Lost {
        let key: String
        let name: String
        let commentRequired: Bool
    }
    let key: String
    let name: String
    let pipelines: [Option]
    let mine: Bool
    let q: String
    /// The tag filter as typed, and the tags in use on deals (suggested).
    let tag: String
    let tagSuggestions: [String]
    let responsibles: [Option]
    let columns: [Column]
    let lost: [Lost]
    /// Where a card can go: the open stages, won and lost (the keyboard's way to move a card).
    let moves: [Option]
    /// What the required-fields dialog needs to know of each field a stage of this pipeline requires (JSON).
    let fieldsJSON: String
    let currency: String
    let writes: Bool

    static let pageSize = 50

    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        router.get("/board/{key}") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            let key = PipelineKey(try context.parameters.require("key"))
            let board = try await build(key, request: request, viewer: viewer, services: services)
            return renderer.page("board", board.page, title: board.page.name, viewer: viewer, pipeline: key, script: "board.js")
        }
        router.get("/board/{key}/column/{stage}") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            let key = PipelineKey(try context.parameters.require("key"))
            let stage = StageKey(try context.parameters.require("stage"))
            let offset = max(0, Int(Web.query(request)["offset"] ?? "") ?? 0)
            let board = try await build(key, request: request, viewer: viewer, services: services, only: stage, offset: offset)
            guard let column = board.page.columns.first else { throw AppError.notFound("No stage \(stage) in \(key)") }
            return renderer.fragment("board-column", WebRenderer.FragmentContext(page: column, t: WebText.labels(viewer.locale)))
        }
        router.post("/board/{key}/deals") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            let form = try await viewer.form(request)
            let key = PipelineKey(try context.parameters.require("key"))
            do {
                let deal = try await services.deals.create(
                    pipeline: key, stage: nil, input: DealInput(title: form["title"] ?? "", responsible: viewer.user.id),
                    actor: viewer.principal.actor, principal: viewer.principal)
                return Pages.redirect("/deals/\(deal.id)")
            } catch AppError.refused(let problems) {
                let board = try await build(key, request: request, viewer: viewer, services: services)
                return renderer.page(
                    "board", board.page, title: board.page.name, viewer: viewer, pipeline: key, script: "board.js",
                    status: .unprocessableContent, problems: problems)
            }
        }
    }

    /// What the board reads. One who sees only their own deals here gets a plain responsible condition, which the
    /// per-person index serves; the general scope (any pipeline, own deals of some) is kept for the rest.
    static func query(_ key: PipelineKey, responsible: UserID?, search: String, tag: String?, principal: Principal) -> BoardQuery {
        let me = principal.user.id
        if principal.role == .marketer || (principal.level(key) == .own && responsible != nil && responsible != me) {
            return BoardQuery(pipeline: key, responsible: responsible, search: search, scope: principal.dealScope(pipelines: [key]), tag: tag)
        }
        return BoardQuery(pipeline: key, responsible: principal.level(key) == .own ? me : responsible, search: search, tag: tag)
    }

    /// The board's model; `only` builds one column from `offset` (the "more" link).
    static func build(
        _ key: PipelineKey, request: Request, viewer: WebViewer, services: AppServices, only: StageKey? = nil, offset: Int = 0
    ) async throws -> (page: BoardPage, pipeline: Pipeline) {
        let query = Web.query(request)
        let mine = query["mine"] != nil
        let responsible = mine ? viewer.user.id : Int64(query["responsible"] ?? "").map(UserID.init(rawValue:))
        let search = query["q"] ?? ""
        let tag = String((query["tag"] ?? "").trimmed.prefix(Tag.maxLength * 4))
        // A tag that cannot exist finds nothing rather than failing the board.
        let tagKey = tag.isEmpty ? nil : ((try? Tag.parse(tag).get())?.key ?? ",")
        let now = services.clock.now()
        let principal = viewer.principal
        return try await services.store.read { s in
            let pipelines = try await s.pipelines().filter { principal.seesPipeline($0.key) }
            guard let pipeline = pipelines.first(where: { $0.key == key }) else { throw AppError.notFound("No pipeline \(key)") }
            let board = Self.query(key, responsible: responsible, search: search, tag: tagKey, principal: principal)
            let totals = try await s.boardTotals(board)
            let stages = pipeline.openStages.filter { only == nil || $0.key == only }
            var deals: [StageKey: [Deal]] = [:]
            for stage in stages { deals[stage.key] = try await s.boardColumn(board, stage: stage.key, offset: offset, limit: pageSize + 1) }
            let shown = stages.flatMap { (deals[$0.key] ?? []).prefix(pageSize) }
            let tasks = try await s.openTaskCounts(deals: shown.map(\.id))
            let contacts = try await s.contactNames(Array(Set(shown.compactMap(\.contact))))
            let users = try await s.users()
            let catalog = try await s.fieldCatalog()
            let view = FieldView(principal, catalog: catalog)
            let names = Dictionary(users.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            let moves =
                pipeline.openStages.map { Option(value: $0.key.rawValue, label: viewer.text($0.name), selected: false) }
                + [
                    Option(value: "won", label: viewer.ru ? "Успешно" : "Won", selected: false),
                    Option(value: "lost", label: viewer.ru ? "Закрыто и не реализовано" : "Lost", selected: false),
                ]
            let columns = stages.map { stage -> Column in
                let stageTotals = totals.filter { $0.stage == stage.key }
                let page = deals[stage.key] ?? []
                let cards = page.prefix(pageSize).map { stored -> Card in
                    let deal = view.deal(stored)
                    let age = now.millis - deal.stageEnteredAt.millis
                    let limit = stage.maxTimeInStage?.millis
                    let ageClass = limit.map { age > $0 ? "over" : age * 5 > $0 * 4 ? "warn" : "" } ?? ""
                    return Card(
                        id: deal.id.rawValue, title: deal.title, amount: deal.amount.map(WebFormat.money),
                        contact: deal.contact.flatMap { contacts[$0] }, responsible: deal.responsible.flatMap { names[$0] },
                        age: WebFormat.duration(millis: age, ru: viewer.ru), ageClass: ageClass, tasks: tasks[deal.id] ?? 0)
                }
                var more: String?
                if page.count > pageSize {
                    var items = ["offset=\(offset + pageSize)"]
                    if mine { items.append("mine=1") }
                    if let responsible, !mine { items.append("responsible=\(responsible.rawValue)") }
                    if !search.isEmpty { items.append("q=" + Web.encode(search)) }
                    if !tag.isEmpty { items.append("tag=" + Web.encode(tag)) }
                    more = "/board/\(key)/column/\(stage.key)?" + items.joined(separator: "&")
                }
                return Column(
                    key: stage.key.rawValue, name: viewer.text(stage.name), keyStage: stage.isKeyStage,
                    count: stageTotals.reduce(0) { $0 + $1.count },
                    sums: !view.shows(.deal, "amount")
                        ? ""
                        : stageTotals.compactMap { t in t.currency.map { WebFormat.money(MoneyTotal(scaledUnits: t.scaledUnits, currency: $0)) } }
                            .sorted().joined(separator: " · "),
                    cards: Array(cards), more: more)
            }
            let page = BoardPage(
                key: key.rawValue, name: viewer.text(pipeline.name),
                pipelines: pipelines.map { Option(value: $0.key.rawValue, label: viewer.text($0.name), selected: $0.key == key) },
                mine: mine, q: search, tag: tag,
                tagSuggestions: try await s.tagsInUse(
                    [.deal], prefix: nil, limit: TagChips.suggestionLimit, scope: principal.dealScope(pipelines: pipelines.map(\.key))
                ).map(\.tag.name),
                responsibles: users.filter(\.active).map {
                    Option(value: String($0.id.rawValue), label: $0.name, selected: !mine && $0.id == responsible)
                },
                columns: columns,
                lost: pipeline.lostStages.map { Lost(key: $0.key.rawValue, name: viewer.text($0.name), commentRequired: $0.lossCommentRequired) },
                moves: moves,
                fieldsJSON: DialogFields.json(pipeline: pipeline, view: view, users: users, viewer: viewer),
                currency: totals.compactMap(\.currency?.code).first ?? "RUB", writes: principal.mayWrite)
            return (page, pipeline)
        }
    }
}
