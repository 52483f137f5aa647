import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Foundation
import HTTPTypes
import Hummingbird

/// A pipeline's analytics: the funnel chart (server-rendered SVG), loss reasons, step conversion per manager, time in
/// stage and the forecast, over a period; each table downloads as CSV.
struct AnalyticsPage {
    typealias Option = WebOption
    struct Cell {
        let cells: [String]
    }
    struct Table {
        let id: String
        let title: String
        let csv: String?
        let head: [String]
        let rows: [Cell]
    }
    let key: String
    let name: String
    let pipelines: [Option]
    let periods: [Option]
    let chart: FunnelChart
    let summary: String
    let tables: [Table]

    static func register(on router: RouterGroup<AppRequestContext>, services: AppServices, renderer: WebRenderer) {
        router.get("/analytics") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            return try await Web.firstPipeline(viewer, services: services).map { Pages.redirect("/analytics/\($0)") }
                ?? renderer.page(
                    "message", Web.Message(text: viewer.ru ? "Воронок пока нет" : "No pipelines yet"), title: "Autofunnel", viewer: viewer)
        }
        router.get("/analytics/{key}") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            let key = PipelineKey(try context.parameters.require("key"))
            let days = try Web.integer(Web.query(request)["days"], "days", in: 0...36_500, default: 0)
            guard viewer.principal.readsReport(key, losses: false) else {
                if !viewer.principal.seesPipeline(key) { throw AppError.notFound("No pipeline \(key)") }
                return renderer.page(
                    "message",
                    Web.Message(text: viewer.ru ? "Отчёты этой воронки вам недоступны" : "The reports of this pipeline are not open to you"),
                    title: "Autofunnel", viewer: viewer, pipeline: key, status: .forbidden)
            }
            let page = try await build(key, days: days, viewer: viewer, services: services)
            return renderer.page("analytics", page, title: page.name, viewer: viewer, pipeline: key)
        }
        router.get("/analytics/{key}/{report}") { request, context -> Response in
            guard let viewer = try await WebViewer.of(request, context: context, auth: services.auth) else { return Pages.redirect("/login") }
            let key = PipelineKey(try context.parameters.require("key"))
            let report = try context.parameters.require("report")
            let days = try Web.integer(Web.query(request)["days"], "days", in: 0...36_500, default: 0)
            guard viewer.principal.readsReport(key, losses: report == "losses.csv") else { throw AppError.notFound("No pipeline \(key)") }
            let scope = scope(key, days: days, services: services)
            let text: String
            switch report {
            case "conversion.csv": text = ReportCSV.conversion(try await services.reports.conversion(scope))
            case "losses.csv": text = ReportCSV.losses(try await view(viewer, services).losses(try await services.reports.losses(scope)))
            case "managers.csv": text = ReportCSV.managers(try await services.reports.managers(scope))
            case "stage-times.csv": text = ReportCSV.stageTimes(try await services.reports.stageTimes(scope))
            default: throw AppError.notFound("No report \(report)")
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/csv; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"\(key)-\(report)\""
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(string: text)))
        }
    }

    /// What the viewer may see of fields, for the reports.
    static func view(_ viewer: WebViewer, _ services: AppServices) async throws -> FieldView {
        FieldView(viewer.principal, catalog: try await services.store.read { s in try await s.fieldCatalog() })
    }

    static func scope(_ key: PipelineKey, days: Int, services: AppServices) -> ReportScope {
        let now = services.clock.now()
        let from = days > 0 ? now.adding(days: -Int64(days)) : Timestamp(millis: 0)
        return ReportScope(pipeline: key, from: from, to: now.adding(millis: 1))
    }

    static func build(_ key: PipelineKey, days: Int, viewer: WebViewer, services: AppServices) async throws -> AnalyticsPage {
        let scope = scope(key, days: days, services: services)
        let ru = viewer.ru
        let t = WebText.labels(viewer.locale)
        let conversion = try await services.reports.conversion(scope)
        let times = try await services.reports.stageTimes(scope)
        let managers = try await services.reports.managers(scope)
        let losses =
            viewer.principal.readsReport(key, losses: true) ? try await view(viewer, services).losses(try await services.reports.losses(scope)) : nil
        let (pipelines, pipeline, users) = try await services.store.read { s in
            let all = try await s.pipelines().filter { viewer.principal.seesPipeline($0.key) }
            return (all, try await s.requirePipeline(key), try await s.users())
        }
        let names = Dictionary(users.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        func percent(_ v: Double?) -> String { v.map { String(format: "%.1f %%", $0 * 100) } ?? "—" }
        func duration(_ v: Int64?) -> String { v.map { WebFormat.duration(millis: $0, ru: ru) } ?? "—" }
        let csv = { (name: String) in "/analytics/\(key)/\(name).csv" + (days > 0 ? "?days=\(days)" : "") }
        var tables: [Table] = []
        tables.append(
            Table(
                id: "conversion", title: t["conversion"] ?? "", csv: csv("conversion"),
                head: [t["stage"] ?? "", t["reached"] ?? "", t["ofAll"] ?? "", t["stepConversion"] ?? ""],
                rows: conversion.steps.map {
                    Cell(cells: [viewer.text($0.name), String($0.reached), percent($0.shareOfAll), percent($0.stepConversion)])
                }))
        if let losses {
            tables.append(
                Table(
                    id: "loss-reasons", title: t["lossReasons"] ?? "", csv: csv("losses"),
                    head: [t["reason"] ?? "", t["deals"] ?? "", t["amount"] ?? "", t["comments"] ?? ""],
                    rows: losses.reasons.map { r in
                        Cell(cells: [
                            viewer.text(r.name), String(r.count), r.amounts.map(WebFormat.money).joined(separator: " · "),
                            r.comments.joined(separator: " | "),
                        ])
                    }))
        }
        tables.append(
            Table(
                id: "managers", title: t["byManager"] ?? "", csv: csv("managers"),
                head: [t["responsible"] ?? "", t["stage"] ?? "", t["entered"] ?? "", t["advanced"] ?? "", t["stepConversion"] ?? ""],
                rows: managers.rows.map { r in
                    Cell(cells: [
                        r.responsible.flatMap { names[$0] } ?? "—", pipeline.stage(r.stage).map { viewer.text($0.name) } ?? r.stage.rawValue,
                        String(r.entered), String(r.advanced), percent(r.conversion),
                    ])
                }))
        tables.append(
            Table(
                id: "stage-times", title: t["timeInStage"] ?? "", csv: csv("stage-times"),
                head: [t["stage"] ?? "", t["visits"] ?? "", "p50", "p90", t["openNow"] ?? "", t["overLimit"] ?? ""],
                rows: times.stages.map { st in
                    Cell(cells: [
                        viewer.text(st.name), String(st.visits), duration(st.p50Millis), duration(st.p90Millis), String(st.openNow),
                        String(st.overLimit),
                    ])
                }))
        tables += forecast(try await services.reports.forecast(scope), viewer: viewer)
        let periods = [(0, t["allTime"] ?? ""), (30, "30 \(t["days"] ?? "")"), (90, "90 \(t["days"] ?? "")"), (365, "365 \(t["days"] ?? "")")]
        return AnalyticsPage(
            key: key.rawValue, name: viewer.text(pipeline.name),
            pipelines: pipelines.map { Option(value: $0.key.rawValue, label: viewer.text($0.name), selected: $0.key == key) },
            periods: periods.map { Option(value: String($0.0), label: $0.1, selected: $0.0 == days) },
            chart: FunnelChart(conversion, viewer: viewer),
            summary:
                "\(t["deals"] ?? ""): \(conversion.total) · \(t["openDeals"] ?? ""): \(conversion.open) · \(t["won"] ?? ""): \(conversion.won) · \(t["lost"] ?? ""): \(conversion.lost)",
            tables: tables)
    }

    /// The forecast: each stage's probability and where it comes from, then expected revenue by month and currency.
    static func forecast(_ r: ForecastReport, viewer: WebViewer) -> [Table] {
        let t = WebText.labels(viewer.locale)
        func percent(_ v: Double?) -> String { v.map { String(format: "%.1f %%", $0 * 100) } ?? "—" }
        let odds = Table(
            id: "forecast-stages", title: t["forecastOdds"] ?? "", csv: nil,
            head: [t["stage"] ?? "", t["openNow"] ?? "", t["probability"] ?? "", t["basis"] ?? "", t["timeToWon"] ?? ""],
            rows: r.stages.map { o in
                Cell(cells: [
                    viewer.text(o.name), String(o.open), percent(o.probability),
                    o.source == "history" ? "\(t["history"] ?? ""): \(o.won) / \(o.entered)" : t["basis." + o.source] ?? o.source,
                    o.medianMillisToWon.map { WebFormat.duration(millis: $0, ru: viewer.ru) } ?? "—",
                ])
            })
        let months = Table(
            id: "forecast", title: t["forecast"] ?? "", csv: nil,
            head: [t["closeMonth"] ?? "", t["deals"] ?? "", t["amount"] ?? "", t["expected"] ?? ""],
            rows: r.rows.map { Cell(cells: [$0.month, String($0.deals), WebFormat.money($0.amount), WebFormat.money($0.expected)]) })
        return [odds, months]
    }
}
