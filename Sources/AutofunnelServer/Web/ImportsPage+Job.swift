import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import HTTPTypes
import Hummingbird

/// One import job: its progress while it runs (the page's script polls the API every second; without it the refresh
/// link does the same), then what it did, the first refused rows and the errors CSV; after a dry run, the button that
/// runs it for real.
struct JobPage {
    struct Problem {
        let row: Int
        let column: String
        let message: String
    }
    struct Progress {
        let value: Int64
        let max: Int64
    }
    let id: Int64
    let upload: String
    let fileName: String
    let status: String
    let statusText: String
    let runningText: String
    let kindText: String
    let dryRun: Bool
    let active: Bool
    let ended: Bool
    let rows: Int64
    let total: String?
    /// A determinate bar once the rows are counted; before that the bar only says that it works.
    let progress: Progress?
    let created: Int64
    let updated: Int64
    let refused: Int64
    let moves: Int64?
    let resumedAfter: Int64?
    let message: String?
    let messageLabel: String
    let refusedRows: [Problem]
    let hasRefusedRows: Bool
    let hasErrors: Bool
    let canRun: Bool
    let canReview: Bool
    let mapping: String
    let skipUnmapped: Bool

    static func show(_ job: ImportJob, viewer: WebViewer, services: AppServices, renderer: WebRenderer) async throws -> Response {
        let kept = services.importJobs.uploads.upload(job.upload) != nil
        let refused = job.status.isActive ? [] : try await services.importJobs.problems(job.id, limit: 20)
        let message = job.message.map { $0 == ImportJobs.interrupted ? viewer.label("importInterrupted") : $0 }
        let page = JobPage(
            id: job.id, upload: job.upload, fileName: job.fileName, status: job.status.rawValue,
            statusText: viewer.label("importStatus.\(job.status.rawValue)"), runningText: viewer.label("importStatus.running"),
            kindText: viewer.label(job.dryRun ? "importDryRun" : "importRun"), dryRun: job.dryRun, active: job.status.isActive,
            ended: !job.status.isActive, rows: job.rows, total: job.total.map(String.init),
            progress: job.total.map { Progress(value: min(job.rows, $0), max: max($0, 1)) }, created: job.created, updated: job.updated,
            refused: job.refused, moves: job.moves > 0 ? job.moves : nil, resumedAfter: job.resumedAfter > 0 ? job.resumedAfter : nil,
            message: message, messageLabel: viewer.label(job.status == .failed ? "importWhy" : "importNote"),
            refusedRows: refused.map { Problem(row: $0.row, column: $0.column ?? "", message: $0.message) },
            hasRefusedRows: !refused.isEmpty, hasErrors: job.refused > 0 && !job.status.isActive,
            canRun: job.dryRun && job.status == .finished && kept,
            canReview: kept && !job.status.isActive, mapping: job.mapping, skipUnmapped: job.skipUnmapped)
        return renderer.page("import-job", page, title: "\(viewer.label("importRun")) \(job.fileName)", viewer: viewer, script: "imports.js")
    }
}
