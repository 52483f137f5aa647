import AutofunnelEngine
import HTTPTypes
import OpenAPIRuntime

/// The lists answered as CSV files (`GET /deals`, `/contacts`, `/companies` with `Accept: text/csv` or `format=csv`,
/// and an import's refused rows):
/// their body streams from an `ExportStream`, and this middleware names the file. The generated layer would
/// percent-encode a `Content-Disposition` value set by the handler, so it is set here, on the finished response.
struct CSVDownload: ServerMiddleware {
    /// The file name of each list operation's CSV answer.
    static let files = [
        "listDeals": "deals.csv", "listContacts": "contacts.csv", "listCompanies": "companies.csv", "getImportErrors": "import-errors.csv",
    ]

    /// A body that reads the export while it is sent: a chunk per page, none held after it is written.
    static func body(_ export: ExportStream) -> HTTPBody { HTTPBody(export, length: .unknown, iterationBehavior: .single) }

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var (response, answer) = try await next(request, body, metadata)
        if let file = Self.files[operationID], response.headerFields[.contentType]?.hasPrefix("text/csv") == true {
            response.headerFields[.contentType] = "text/csv; charset=utf-8"
            response.headerFields[.contentDisposition] = "attachment; filename=\"\(file)\""
        }
        return (response, answer)
    }
}
