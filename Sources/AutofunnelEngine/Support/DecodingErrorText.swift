/// Turns a `DecodingError` into a sentence with the path of the offending field.
public enum DecodingErrorText {
    public static func path(_ error: DecodingError) -> String {
        let context: DecodingError.Context? =
            switch error {
            case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): c
            case .keyNotFound(let key, let c): DecodingError.Context(codingPath: c.codingPath + [key], debugDescription: c.debugDescription)
            @unknown default: nil
            }
        return (context?.codingPath ?? []).map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
    }

    public static func describe(_ error: DecodingError) -> String {
        let at = path(error)
        let place = at.isEmpty ? "" : " at '\(at)'"
        switch error {
        case .typeMismatch(let type, _): return "wrong type\(place): expected \(type)"
        case .valueNotFound(let type, _): return "missing value\(place): expected \(type)"
        case .keyNotFound(let key, _): return "missing key '\(key.stringValue)'\(place)"
        case .dataCorrupted(let c): return "invalid data\(place): \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
