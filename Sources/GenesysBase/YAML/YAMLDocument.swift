import CYAML

/// One YAML document composed by libyaml, as an index graph: each node is stored once, so anchors and aliases
/// (even an alias bomb) cost what their text costs, and readers walk only the keys they ask for.
package struct YAMLDocument: Sendable {
    /// libyaml's problem with the text: a fixed message (never the input) and where.
    package struct SyntaxError: Error, Sendable {
        /// 1-based; 0 when libyaml gave no position.
        package let line: Int
        /// libyaml's problem and its context, e.g. "did not find expected key while parsing a block mapping".
        package let problem: String
    }

    /// The top node, nil for an empty stream.
    package let root: YAMLNode?

    /// Composes `text`, which must hold at most one document.
    package init(_ text: String) throws(SyntaxError) {
        let storage = try YAMLParse.compose(Array(text.utf8))
        root = storage.nodes.isEmpty ? nil : YAMLNode(storage: storage, index: 0)
    }
}

/// A node of a `YAMLDocument`: a scalar, a sequence or a mapping.
package struct YAMLNode: Sendable {
    let storage: YAMLStorage
    let index: Int

    /// The scalar's text, nil for a sequence or mapping.
    package var scalar: YAMLScalar? {
        guard case .scalar(let text, let plain) = storage.nodes[index] else { return nil }
        return YAMLScalar(string: text, isPlain: plain)
    }

    /// The items, nil for a scalar or mapping.
    package var sequence: [YAMLNode]? {
        guard case .sequence(let items) = storage.nodes[index] else { return nil }
        return items.map { YAMLNode(storage: storage, index: $0) }
    }

    /// False for YAML's null (`key:`, `~`, `null`): a key given that way counts as not set.
    package var isPresent: Bool { !(scalar?.isNull ?? false) }

    /// The pairs in file order, nil for a scalar or sequence.
    package var mapping: YAMLMapping? {
        guard case .mapping(let pairs) = storage.nodes[index] else { return nil }
        return YAMLMapping(storage: storage, pairs: pairs)
    }
}

package struct YAMLScalar: Sendable {
    package let string: String
    /// Written without quotes or block indicators: only such a scalar can mean null.
    package let isPlain: Bool

    /// YAML 1.1's null: an empty or `~`/`null` plain scalar.
    package var isNull: Bool { isPlain && ["", "~", "null", "Null", "NULL"].contains(string) }

    /// YAML 1.1's booleans (as Go's yaml.v2 and Yams read them), nil for anything else or any quoted text.
    package var bool: Bool? {
        guard isPlain else { return nil }
        switch string {
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": return true
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": return false
        default: return nil
        }
    }
}

/// A mapping's pairs in file order; looking a key up takes the first pair whose key is that plain text.
package struct YAMLMapping: Sendable, Sequence {
    let storage: YAMLStorage
    let pairs: [(key: Int, value: Int)]

    package subscript(_ key: String) -> YAMLNode? {
        for pair in pairs {
            if case .scalar(let text, _) = storage.nodes[pair.key], text == key {
                return YAMLNode(storage: storage, index: pair.value)
            }
        }
        return nil
    }

    package var keys: [YAMLNode] { pairs.map { YAMLNode(storage: storage, index: $0.key) } }

    package func makeIterator() -> some IteratorProtocol<(YAMLNode, YAMLNode)> {
        pairs.lazy.map { (YAMLNode(storage: storage, index: $0.key), YAMLNode(storage: storage, index: $0.value)) }
            .makeIterator()
    }
}

/// The nodes, root first; children refer to nodes by index.
final class YAMLStorage: Sendable {
    enum Entry: Sendable {
        case scalar(String, plain: Bool)
        case sequence([Int])
        case mapping([(key: Int, value: Int)])
    }

    let nodes: [Entry]

    init(nodes: [Entry]) { self.nodes = nodes }
}
