import AutofunnelCore
import AutofunnelEngine
import HTTPTypes
import Hummingbird

/// An upload before it is imported: the mapping to check and edit, and the first rows of the file as they map.
struct PreviewPage {
    struct Row {
        let row: Int
        let id: String
        let title: String
        let pipeline: String
        let stage: String
        let amount: String
        let responsible: String
        let contact: String
        let company: String
        let problems: [String]
        let fine: Bool
    }
    let upload: String
    let fileName: String
    let format: String
    let header: [String]
    let mapping: String
    let unmapped: [String]
    let hasUnmapped: Bool
    let skipUnmapped: Bool
    let rows: [Row]
    /// Whether the file read with the mapping (else only the problems and the mapping are shown).
    let readable: Bool

    static func show(
        _ upload: ImportUploads.Upload, viewer: WebViewer, services: AppServices, renderer: WebRenderer, status: HTTPResponse.Status = .ok,
        problems: [Violation] = []
    ) async throws -> Response {
        var page: PreviewPage
        var shown = problems
        do {
            let mapping = try await services.importJobs.mapping(for: upload, sampleValues: true)
            let preview = try await services.importJobs.preview(upload, mapping: mapping)
            let names = try await services.store.read { s in try await s.pipelines() }
            page = PreviewPage(
                upload: upload.id, fileName: upload.meta.fileName, format: preview.format, header: preview.header,
                mapping: upload.meta.mapping ?? preview.mappingText, unmapped: preview.unmappedColumns,
                hasUnmapped: !preview.unmappedColumns.isEmpty, skipUnmapped: false,
                rows: preview.rows.map { row(of: $0, pipelines: names, viewer: viewer) }, readable: true)
        } catch AppError.refused(let refusals) {
            shown += refusals
            page = PreviewPage(
                upload: upload.id, fileName: upload.meta.fileName, format: "", header: [], mapping: upload.meta.mapping ?? "", unmapped: [],
                hasUnmapped: false, skipUnmapped: false, rows: [], readable: false)
        }
        return renderer.page(
            "import-preview", page, title: viewer.label("importPreview"), viewer: viewer,
            status: shown.isEmpty ? status : (status == .ok ? .unprocessableContent : status), problems: shown, errorsID: "import-errors")
    }

    static func row(of r: ImportPreview.Row, pipelines: [Pipeline], viewer: WebViewer) -> Row {
        guard let deal = r.deal else {
            return Row(
                row: r.row, id: "", title: "", pipeline: "", stage: "", amount: "", responsible: "", contact: "", company: "",
                problems: r.problems.map { ($0.column.map { "\($0): " } ?? "") + $0.message }, fine: false)
        }
        let pipeline = pipelines.first { $0.key == deal.pipeline }
        return Row(
            row: r.row, id: deal.externalID, title: deal.title, pipeline: pipeline.map { viewer.text($0.name) } ?? deal.pipeline.rawValue,
            stage: pipeline?.stage(deal.stage).map { viewer.text($0.name) } ?? deal.stage.rawValue,
            amount: deal.amount.map(WebFormat.money) ?? "", responsible: r.responsible ?? "", contact: deal.contact?.name ?? "",
            company: deal.company?.name ?? "", problems: [], fine: true)
    }
}
