import AutofunnelCore
import AutofunnelEngine
import Foundation

/// `batch`: up to 50 commands (`cmd` as an object or a list of `"method?php-query"`), `halt` on the first error, and
/// `$result[label][…]` (also `$result_total`, `$result_next`) replaced by what an earlier command answered.
extension Bitrix24Methods {
    static let batchLimit = 50

    func batch(_ p: JSONValue) async throws -> Bitrix24Reply {
        let commands: [(label: String, command: String)]
        switch p[lenient: "cmd"] ?? .null {
        case .array(let list): commands = list.enumerated().map { (String($0), $1.lenientText ?? "") }
        case .object(let o): commands = o.map { ($0.key, $0.value.lenientText ?? "") }
        default: throw Bitrix24Error.invalid("Parameter 'cmd' is required")
        }
        guard commands.count <= Self.batchLimit else {
            throw Bitrix24Error(status: 400, code: "ERROR_BATCH_LENGTH_EXCEEDED", description: "Max batch length exceeded")
        }
        let halt = p[lenient: "halt"]?.lenientFlag ?? false
        var results: [String: JSONValue] = [:]
        var errors: [String: JSONValue] = [:]
        var totals: [String: JSONValue] = [:]
        var nexts: [String: JSONValue] = [:]
        var times: [String: JSONValue] = [:]
        for (label, command) in Self.runOrder(commands) {
            let started = Date()
            do {
                let parts = command.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
                let named = String(parts[0]).trimmingCharacters(in: .whitespaces)
                // `batch.json` is `batch` too: the name is compared the way `call` will read it.
                let method = named.lowercased().hasSuffix(".json") ? String(named.dropLast(5)) : named
                guard method.lowercased() != "batch" else { throw Bitrix24Error.invalid("A batch cannot contain a batch") }
                let raw = try BracketParameters.parse(query: parts.count > 1 ? String(parts[1]) : "")
                let params = raw.mapValues { Self.substitute($0, results: results, totals: totals, nexts: nexts) }
                let reply = try await call(method, params)
                results[label] = reply.result
                if let total = reply.total { totals[label] = .number(Double(total)) }
                if let next = reply.next { nexts[label] = .number(Double(next)) }
            } catch {
                errors[label] = Bitrix24Error.from(error, russian: russian).body
            }
            times[label] = Bitrix24Time(start: started, finish: Date()).json
            if halt && !errors.isEmpty { break }
        }
        return Bitrix24Reply(
            result: .object([
                "result": Self.php(results), "result_error": Self.php(errors), "result_total": Self.php(totals), "result_next": Self.php(nexts),
                "result_time": Self.php(times),
            ]))
    }

    /// The order commands run in: labels in natural order (`2` before `10`), except that a command waits for the
    /// commands its `$result[…]` references name.
    static func runOrder(_ commands: [(label: String, command: String)]) -> [(label: String, command: String)] {
        var pending = commands.sorted { (Int($0.label) ?? Int.max, $0.label) < (Int($1.label) ?? Int.max, $1.label) }
        let labels = Set(commands.map(\.label))
        var done: Set<String> = []
        var out: [(label: String, command: String)] = []
        while !pending.isEmpty {
            let ready =
                pending.firstIndex { c in
                    references(in: c.command.removingPercentEncoding ?? c.command).allSatisfy { !labels.contains($0) || done.contains($0) }
                } ?? 0
            let next = pending.remove(at: ready)
            done.insert(next.label)
            out.append(next)
        }
        return out
    }

    /// Labels referenced by `$result[label]`, `$result_total[label]`, `$result_next[label]`.
    static func references(in text: String) -> [String] {
        text.matches(of: #/\$result(?:_total|_next)?\[([^\]]*)\]/#).map { String($0.output.1) }
    }

    /// Replaces references in every string of a parameter. A string that is exactly one reference becomes the value
    /// referenced (a number, a list); references inside a longer string are replaced by their text. A reference to
    /// nothing is empty, as in Bitrix24.
    static func substitute(_ value: JSONValue, results: [String: JSONValue], totals: [String: JSONValue], nexts: [String: JSONValue]) -> JSONValue {
        switch value {
        case .object(let o): return .object(o.mapValues { substitute($0, results: results, totals: totals, nexts: nexts) })
        case .array(let a): return .array(a.map { substitute($0, results: results, totals: totals, nexts: nexts) })
        case .string(let s) where s.contains("$result"):
            let pattern = #/\$(result|result_total|result_next)((?:\[[^\]]*\])+)/#
            func resolve(_ kind: Substring, _ path: Substring) -> JSONValue {
                let keys = path.dropFirst().dropLast().components(separatedBy: "][")
                let root = kind == "result" ? results : kind == "result_total" ? totals : nexts
                var node = root[keys[0]] ?? .null
                for key in keys.dropFirst() {
                    switch node {
                    case .array(let a): node = Int(key).flatMap { a.indices.contains($0) ? a[$0] : nil } ?? .null
                    case .object: node = node[lenient: key] ?? .null
                    default: node = .null
                    }
                }
                return node
            }
            if let whole = s.wholeMatch(of: pattern) { return resolve(whole.output.1, whole.output.2) }
            return .string(s.replacing(pattern) { m in resolve(m.output.1, m.output.2).lenientText ?? "" })
        default: return value
        }
    }

    /// PHP's JSON form of an array: empty is `[]`, keys `0…n-1` are a list, anything else an object.
    static func php(_ map: [String: JSONValue]) -> JSONValue {
        if map.isEmpty { return .array([]) }
        let indices = map.keys.compactMap { Int($0) }.sorted()
        if indices.count == map.count, indices == Array(0..<map.count), map.keys.allSatisfy({ String(Int($0)!) == $0 }) {
            return .array(indices.map { map[String($0)]! })
        }
        return .object(map)
    }
}
