import Yams

/// Reads a definition file's YAML into a node tree with bounds, before any decoding: at most `maximumDepth` levels
/// (libyaml's own limit is 1,000, and the composer and decoder recurse) and at most `maximumNodes` nodes counted with
/// every alias expanded, so a kilobyte of nested aliases ("billion laughs") is refused instead of becoming millions
/// of strings. It also accepts what a YAML 1.1 library writes for a trigger's `on:` key: `true:` (such libraries
/// read `on` as a boolean and save it back as one).
enum DefinitionYAML {
    static let maximumDepth = 48
    static let maximumNodes = 200_000

    /// Why a file was refused.
    struct TooLarge: Error, CustomStringConvertible {
        let description: String
    }

    /// The bounded node tree of `text`, or nil for an empty document.
    static func node(_ text: String) throws -> Node? {
        guard let root = try Yams.compose(yaml: text) else { return nil }
        var budget = maximumNodes
        return try bounded(root, depth: 0, parentKey: nil, budget: &budget)
    }

    private static func bounded(_ node: Node, depth: Int, parentKey: String?, budget: inout Int) throws -> Node {
        budget -= 1
        guard budget >= 0 else {
            throw TooLarge(description: "the file expands to more than \(maximumNodes) values (aliases counted each time they are used)")
        }
        guard depth <= maximumDepth else { throw TooLarge(description: "the file is nested deeper than \(maximumDepth) levels") }
        switch node {
        case .scalar, .alias:
            return node
        case .sequence(let sequence):
            var items: [Node] = []
            for item in sequence { items.append(try bounded(item, depth: depth + 1, parentKey: nil, budget: &budget)) }
            return .sequence(Node.Sequence(items, sequence.tag, sequence.style, sequence.mark))
        case .mapping(let mapping):
            let hasOn = mapping.keys.contains { $0.string == "on" }
            var pairs: [(Node, Node)] = []
            for (key, value) in mapping {
                var key = try bounded(key, depth: depth + 1, parentKey: nil, budget: &budget)
                if parentKey == "trigger", !hasOn, case .scalar(let scalar) = key, ["true", "True", "TRUE"].contains(scalar.string) {
                    key = .scalar(Node.Scalar("on", .implicit, .plain, scalar.mark))
                }
                pairs.append((key, try bounded(value, depth: depth + 1, parentKey: key.string, budget: &budget)))
            }
            return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
        }
    }
}
