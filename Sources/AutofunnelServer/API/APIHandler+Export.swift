import AutofunnelCore
import AutofunnelEngine
import AutofunnelStore
import OpenAPIRuntime

/// The list operations' CSV answers: every page of the list, as the caller may see it, streamed (`ExportService`).
extension APIHandler {
    /// The export of this request's caller.
    var exports: ExportService { ExportService(store: store) }

    /// Whether a list answers as a CSV file: `format=csv` (a link cannot set `Accept`) when `Accept` allows CSV, else
    /// when `Accept` prefers it. `format=json` always answers JSON.
    static func wantsCSV<T: AcceptableProtocol>(_ accept: [AcceptHeaderContentType<T>], format: Components.Parameters.Format?) -> Bool {
        switch format {
        case .csv: accept.isEmpty || accept.contains { ["text/csv", "text/*", "*/*"].contains($0.contentType.rawValue.lowercased()) }
        case .json: false
        case nil: wantsCSV(accept)
        }
    }
}
