import AutofunnelCore
import Foundation

/// JSON kept in text columns (portable across SQLite and PostgreSQL).
enum JSONText {
    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding our own plain value types cannot fail.
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw StoreError.corrupt("cannot decode \(T.self): \(error)")
        }
    }

    static func fields(_ values: [FieldKey: JSONValue]) -> String {
        // Most deals carry no custom field: no encoder for them.
        guard !values.isEmpty else { return "{}" }
        return encode(Dictionary(uniqueKeysWithValues: values.map { ($0.key.rawValue, $0.value) }))
    }

    static func fields(_ text: String) throws -> [FieldKey: JSONValue] {
        if text == "{}" { return [:] }
        let raw = try decode([String: JSONValue].self, text)
        return Dictionary(uniqueKeysWithValues: raw.map { (FieldKey($0.key), $0.value) })
    }
}
