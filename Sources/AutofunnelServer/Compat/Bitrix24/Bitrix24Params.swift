import AutofunnelCore
import AutofunnelEngine
import Foundation

/// Bitrix24 request parameters: a query string or form body with PHP brackets (`BracketParameters`) or a JSON body,
/// read into one `JSONValue` object. Leaves are strings (or, from JSON, whatever JSON sent).
enum Bitrix24Params {
    /// Every parameter of a request: the query string, then a form or JSON body over it.
    static func read(query: String?, body: String, contentType: String?) throws -> [String: JSONValue] {
        var params = try BracketParameters.parse(query: query ?? "", plusIsSpace: true)
        let trimmed = body.drop { $0.isWhitespace }
        let isJSON = contentType?.lowercased().contains("json") == true || trimmed.first == "{"
        if isJSON, !trimmed.isEmpty {
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)), case .object(let o) = value else {
                throw Bitrix24Error(status: 400, code: "INVALID_REQUEST", description: "The JSON body cannot be read")
            }
            params.merge(o) { $1 }
        } else if !trimmed.isEmpty {
            params.merge(try BracketParameters.parse(query: body, plusIsSpace: true)) { $1 }
        }
        return params
    }
}
