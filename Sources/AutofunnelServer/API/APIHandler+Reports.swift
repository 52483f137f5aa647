import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import Foundation
import OpenAPIRuntime

extension APIHandler {
    func conversionReport(_ input: Operations.conversionReport.Input) async throws -> Operations.conversionReport.Output {
        let q = input.query
        let report = try await services.reports.conversion(try await scope(input.path.key, q))
        if Self.wantsCSV(input.headers.accept) { return .ok(.init(body: .csv(HTTPBody(ReportCSV.conversion(report))))) }
        return .ok(.init(body: .json(SchemaMapping.conversion(report))))
    }

    func lossesReport(_ input: Operations.lossesReport.Input) async throws -> Operations.lossesReport.Output {
        let q = input.query
        let report = try await reportView().losses(try await services.reports.losses(try await scope(input.path.key, q, losses: true)))
        if Self.wantsCSV(input.headers.accept) { return .ok(.init(body: .csv(HTTPBody(ReportCSV.losses(report))))) }
        return .ok(.init(body: .json(SchemaMapping.losses(report))))
    }

    func revenueReport(_ input: Operations.revenueReport.Input) async throws -> Operations.revenueReport.Output {
        let q = input.query
        let report = try await services.reports.revenue(try await scope(input.path.key, q))
        if Self.wantsCSV(input.headers.accept) { return .ok(.init(body: .csv(HTTPBody(ReportCSV.revenue(report))))) }
        return .ok(.init(body: .json(SchemaMapping.revenue(report))))
    }

    static func wantsCSV<T: AcceptableProtocol>(_ accept: [AcceptHeaderContentType<T>]) -> Bool {
        accept.sortedByQuality().first.map { "\($0.contentType.rawValue)" == "text/csv" } ?? false
    }

    /// The report's scope from its query, once the caller is known to be allowed to read it and to see the fields it
    /// filters by.
    func scope(_ key: String, _ query: some ReportQuery, losses: Bool = false) async throws -> ReportScope {
        let p = try principal()
        guard p.readsReport(PipelineKey(key), losses: losses) else {
            if !p.seesPipeline(PipelineKey(key)) { throw AppError.notFound("No pipeline with id \(key)") }
            throw AppError.forbidden(
                ru: "Отчёты этой воронки доступны тем, кто видит все её сделки", en: "Reports of this pipeline need read access to all its deals")
        }
        var code: CurrencyCode?
        if let currency = query.currency {
            code = CurrencyCode(currency)
            if code == nil {
                throw AppError.invalidParameter(
                    "currency", ru: "«\(currency)» — не код валюты ISO 4217", en: "'\(currency)' is not an ISO 4217 currency code")
            }
        }
        let start = try query.from.map { try SchemaMapping.timestamp($0, field: "from") } ?? Timestamp(millis: 0)
        let end = try query.to.map { try SchemaMapping.timestamp($0, field: "to") } ?? services.clock.now().adding(millis: 1)
        guard start < end else {
            throw AppError.invalidParameter("from", ru: "Начало периода должно быть раньше конца", en: "The period must start before it ends")
        }
        let scope = ReportScope(
            pipeline: PipelineKey(key), from: start, to: end, responsible: query.responsibleId.map(UserID.init(rawValue:)), source: query.source,
            segment: query.segment, currency: code)
        let hidden = try await reportView().hiddenFilters(scope)
        if !hidden.isEmpty {
            throw AppError.forbidden(
                hidden.map {
                    Violation(rule: .forbiddenField, field: $0, message: .init(ru: "Поле «\($0)» вам не видно", en: "Your role does not see '\($0)'"))
                })
        }
        return scope
    }

    /// What the caller may see of fields, for reports.
    func reportView() async throws -> FieldView { try view(try await store.read { s in try await s.fieldCatalog() }) }
}

extension APIHandler {
    func stageTimesReport(_ input: Operations.stageTimesReport.Input) async throws -> Operations.stageTimesReport.Output {
        let q = input.query
        let days = q.staleAfterDays ?? 14
        guard (1...3650).contains(days) else {
            throw AppError.invalidParameter("staleAfterDays", ru: "staleAfterDays — от 1 до 3650", en: "staleAfterDays must be 1 to 3650")
        }
        let report = try await services.reports.stageTimes(
            try await scope(input.path.key, q), staleAfterDays: days)
        if Self.wantsCSV(input.headers.accept) { return .ok(.init(body: .csv(HTTPBody(ReportCSV.stageTimes(report))))) }
        return .ok(.init(body: .json(SchemaMapping.stageTimes(report))))
    }

    func managersReport(_ input: Operations.managersReport.Input) async throws -> Operations.managersReport.Output {
        let q = input.query
        let report = try await services.reports.managers(try await scope(input.path.key, q))
        if Self.wantsCSV(input.headers.accept) { return .ok(.init(body: .csv(HTTPBody(ReportCSV.managers(report))))) }
        return .ok(.init(body: .json(SchemaMapping.managers(report))))
    }
}

extension APIHandler {
    func cohortsReport(_ input: Operations.cohortsReport.Input) async throws -> Operations.cohortsReport.Output {
        let q = input.query
        let period: CohortReport.Period = q.period == .week ? .week : .month
        let report = try await services.reports.cohorts(
            try await scope(input.path.key, q), period: period)
        if Self.wantsCSV(input.headers.accept) { return .ok(.init(body: .csv(HTTPBody(ReportCSV.cohorts(report))))) }
        return .ok(.init(body: .json(SchemaMapping.cohorts(report))))
    }
}

extension APIHandler {
    func forecastReport(_ input: Operations.forecastReport.Input) async throws -> Operations.forecastReport.Output {
        let q = input.query
        let scope = try await scope(input.path.key, q)
        let report = try await services.reports.forecast(scope)
        if Self.wantsCSV(input.headers.accept) { return .ok(.init(body: .csv(HTTPBody(ReportCSV.forecast(report))))) }
        return .ok(.init(body: .json(SchemaMapping.forecast(report, scope: scope))))
    }

    func lineageReport(_ input: Operations.lineageReport.Input) async throws -> Operations.lineageReport.Output {
        let q = input.query
        let scope = try await scope(input.path.key, q)
        let then = q.then.split(separator: ",").map { PipelineKey(String($0).trimmingCharacters(in: .whitespaces)) }
        // Every pipeline of the journey is a report the caller must be allowed to read.
        for key in then { _ = try await self.scope(key.rawValue, q) }
        let report = try await services.reports.lineage(scope, then: then)
        if Self.wantsCSV(input.headers.accept) { return .ok(.init(body: .csv(HTTPBody(ReportCSV.lineage(report))))) }
        return .ok(.init(body: .json(SchemaMapping.lineage(report))))
    }
}

/// The filters every report takes, as each report operation's generated query type spells them.
protocol ReportQuery {
    var from: Date? { get }
    var to: Date? { get }
    var responsibleId: Int64? { get }
    var source: String? { get }
    var segment: String? { get }
    var currency: String? { get }
}

extension Operations.conversionReport.Input.Query: ReportQuery {}
extension Operations.lossesReport.Input.Query: ReportQuery {}
extension Operations.revenueReport.Input.Query: ReportQuery {}
extension Operations.stageTimesReport.Input.Query: ReportQuery {}
extension Operations.managersReport.Input.Query: ReportQuery {}
extension Operations.cohortsReport.Input.Query: ReportQuery {}
extension Operations.forecastReport.Input.Query: ReportQuery {}
extension Operations.lineageReport.Input.Query: ReportQuery {}
