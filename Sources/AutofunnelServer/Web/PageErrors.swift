import AutofunnelCore
import AutofunnelEngine
import Hummingbird

/// A page that fails answers a browser with an HTML page saying why, with the same status the API would give; the
/// board's own requests (which ask for JSON) still get problem+json.
struct PageErrors: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            guard request.headers[.accept]?.contains("text/html") == true, let problem = Problem.from(error, requestID: nil) else { throw error }
            let english = Pages.locale(request) == .en
            let reasons = problem.errors.map { "<li>\(PageText.escape(english ? $0.message : $0.messageRu))</li>" }.joined()
            let body = """
                <h1>\(problem.status) — \(PageText.escape(problem.title))</h1>
                <p class="error" role="alert">\(PageText.escape(problem.detail ?? problem.title))</p>
                \(reasons.isEmpty ? "" : "<ul>\(reasons)</ul>")
                <p><a href="/">\(english ? "Back to the board" : "Вернуться к воронке")</a></p>
                """
            return Pages.html(body, title: "Autofunnel", locale: english ? .en : .ru, status: .init(code: problem.status))
        }
    }
}
