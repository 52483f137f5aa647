import AutofunnelCore
import AutofunnelEngine
import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The page templates (`Resources/templates/*.mustache`) and static files (`Resources/static`), loaded once.
/// Every `{{value}}` a template shows is HTML-escaped by Mustache; no template uses the unescaped forms.
struct WebRenderer: Sendable {
    let library: MustacheLibrary
    let assets: [String: (type: String, body: String)]

    static func load() throws -> WebRenderer {
        let root = Bundle.module.bundleURL.appendingPathComponent("Resources")
        let fm = FileManager.default
        var templates: [String: MustacheTemplate] = [:]
        let folder = root.appendingPathComponent("templates")
        for name in try fm.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            templates[String(name.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
        }
        var assets: [String: (type: String, body: String)] = [:]
        let statics = root.appendingPathComponent("static")
        for name in try fm.contentsOfDirectory(atPath: statics.path) {
            let type = name.hasSuffix(".js") ? "text/javascript; charset=utf-8" : name.hasSuffix(".css") ? "text/css; charset=utf-8" : "text/plain"
            assets[name] = (type, try String(contentsOf: statics.appendingPathComponent(name), encoding: .utf8))
        }
        return WebRenderer(library: MustacheLibrary(templates: templates), assets: assets)
    }

    /// What every page shows around its content: the title, the language, the navigation and the labels.
    struct Chrome {
        let title: String
        let lang: String
        let csrf: String
        let user: String
        let admin: Bool
        /// Unread notices; the bell shows the number only when there are some.
        let unread: Int
        let hasUnread: Bool
        let board: String
        let analytics: String
        let t: [String: String]
        let page: Any
        let script: String?
        let problems: Problems?
    }

    /// Refusals to show at the top of a page, each in the viewer's language.
    struct Problems {
        let id: String
        let items: [String]
    }

    /// A fragment's values: its part of a page and the labels.
    struct FragmentContext {
        let page: Any
        let t: [String: String]
    }

    /// A full page for the viewer: `template` renders `page` inside the layout.
    func page(
        _ template: String, _ page: Any, title: String, viewer: WebViewer, pipeline: PipelineKey? = nil, script: String? = nil,
        status: HTTPResponse.Status = .ok, problems: [Violation] = [], errorsID: String = "page-errors"
    ) -> Response {
        let key = pipeline?.rawValue ?? ""
        let chrome = Chrome(
            title: title, lang: viewer.locale.rawValue, csrf: viewer.csrf, user: viewer.user.name, admin: viewer.principal.administers,
            unread: viewer.unread, hasUnread: viewer.unread > 0,
            board: key.isEmpty ? "/" : "/board/\(key)", analytics: key.isEmpty ? "/analytics" : "/analytics/\(key)",
            t: WebText.labels(viewer.locale), page: page, script: script,
            problems: problems.isEmpty ? nil : Problems(id: errorsID, items: problems.map { viewer.text($0.message) }))
        return Self.html(library.render(chrome, withTemplate: template) ?? "", status: status)
    }

    /// A bare fragment (a column's next cards), without the layout.
    func fragment(_ template: String, _ object: Any) -> Response { Self.html(library.render(object, withTemplate: template) ?? "") }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return Response(status: status, headers: headers, body: .init(byteBuffer: .init(string: text)))
    }

    /// A static file, cached for an hour.
    func asset(_ name: String) -> Response? {
        guard let asset = assets[name] else { return nil }
        var headers = HTTPFields()
        headers[.contentType] = asset.type
        headers[.cacheControl] = "public, max-age=3600"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(string: asset.body)))
    }
}
