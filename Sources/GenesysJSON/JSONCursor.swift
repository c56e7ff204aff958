import CJansson

/// A decoding failure that names the field path, e.g. `entities[3].name`.
package enum JSONDecodingError: Error, Equatable, CustomStringConvertible, Sendable {
    case missingField(path: String)
    case typeMismatch(path: String, expected: String, found: String)
    case invalidValue(path: String, reason: String)

    package var path: String {
        switch self {
        case .missingField(let path), .typeMismatch(let path, _, _), .invalidValue(let path, _): path
        }
    }

    package var description: String {
        switch self {
        case .missingField(let path): "missing field \(path)"
        case .typeMismatch(let path, let expected, let found): "field \(path): expected \(expected), found \(found)"
        case .invalidValue(let path, let reason): "field \(path): \(reason)"
        }
    }
}

/// A position in a JSON document with typed accessors whose errors carry the path. Backed either by a Swift
/// `JSON` value or, for API responses, by jansson's tree read in place (`JSONParser.document`).
package struct JSONCursor: Sendable {
    private enum Node: Sendable {
        case tree(JSON)
        case jansson(JanssonNode)
    }

    /// Where the cursor is, as a chain back to the root: the path string is built only for an error or when asked
    /// (building it on every step was a tenth of decoding an aggregates answer).
    private indirect enum Location: Sendable {
        case root(String)
        case member(parent: Location, key: String)
        case element(parent: Location, index: Int)

        var path: String {
            switch self {
            case .root(let path): return path
            case .member(let parent, let key):
                let base = parent.path
                return base.isEmpty ? key : "\(base).\(key)"
            case .element(let parent, let index): return "\(parent.path)[\(index)]"
            }
        }
    }

    private let node: Node
    private let location: Location

    package init(_ value: JSON, path: String = "") {
        self.init(node: .tree(value), location: .root(path))
    }

    init(_ node: JanssonNode) {
        self.init(node: .jansson(node), location: .root(""))
    }

    private init(node: Node, location: Location) {
        self.node = node
        self.location = location
    }

    package var path: String { location.path }

    /// The value as a Swift `JSON`.
    package var value: JSON {
        switch node {
        case .tree(let value): value
        case .jansson(let node): node.tree
        }
    }

    private var typeName: String {
        switch node {
        case .tree(let value): value.typeName
        case .jansson(let node): node.typeName
        }
    }

    private func mismatch(_ expected: String) -> JSONDecodingError {
        .typeMismatch(path: path.isEmpty ? "$" : path, expected: expected, found: typeName)
    }

    /// The member `key`; throws when absent or null.
    package func field(_ key: String) throws(JSONDecodingError) -> JSONCursor {
        guard let member = try optionalField(key) else { throw .missingField(path: childPath(key)) }
        return member
    }

    private func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The member `key`, or nil when absent or null.
    package func optionalField(_ key: String) throws(JSONDecodingError) -> JSONCursor? {
        let child: Node
        switch node {
        case .tree(let value):
            guard case .object(let members) = value else { throw mismatch("object") }
            guard let member = members[key], member != .null else { return nil }
            child = .tree(member)
        case .jansson(let node):
            guard node.type == JSON_OBJECT else { throw mismatch("object") }
            guard let member = node.member(key), member.type != JSON_NULL else { return nil }
            child = .jansson(member)
        }
        return JSONCursor(node: child, location: .member(parent: location, key: key))
    }

    package func elements() throws(JSONDecodingError) -> [JSONCursor] {
        let parent = location
        switch node {
        case .tree(let value):
            guard case .array(let items) = value else { throw mismatch("array") }
            return items.enumerated().map {
                JSONCursor(node: .tree($0.element), location: .element(parent: parent, index: $0.offset))
            }
        case .jansson(let node):
            guard node.type == JSON_ARRAY else { throw mismatch("array") }
            return node.elements.enumerated().map {
                JSONCursor(node: .jansson($0.element), location: .element(parent: parent, index: $0.offset))
            }
        }
    }

    package func string() throws(JSONDecodingError) -> String {
        switch node {
        case .tree(.string(let text)): return text
        case .jansson(let node) where node.type == JSON_STRING: return node.string
        default: throw mismatch("string")
        }
    }

    package func int() throws(JSONDecodingError) -> Int {
        switch node {
        case .tree(.integer(let number)): return Int(number)
        case .tree(.double(let number)) where Self.isWhole(number): return Int(number)
        case .jansson(let node) where node.type == JSON_INTEGER: return Int(node.integer)
        case .jansson(let node) where node.type == JSON_REAL && Self.isWhole(node.real): return Int(node.real)
        default: throw mismatch("integer")
        }
    }

    /// A real that is a whole number well inside Int's range.
    private static func isWhole(_ number: Double) -> Bool { number.rounded() == number && abs(number) < 9e15 }

    package func double() throws(JSONDecodingError) -> Double {
        switch node {
        case .tree(.integer(let number)): return Double(number)
        case .tree(.double(let number)): return number
        case .jansson(let node) where node.type == JSON_INTEGER: return Double(node.integer)
        case .jansson(let node) where node.type == JSON_REAL: return node.real
        default: throw mismatch("number")
        }
    }

    package func bool() throws(JSONDecodingError) -> Bool {
        switch node {
        case .tree(.bool(let flag)): return flag
        case .jansson(let node) where node.type == JSON_TRUE: return true
        case .jansson(let node) where node.type == JSON_FALSE: return false
        default: throw mismatch("boolean")
        }
    }

    /// An integer that must lie in `range`: counts and totals from upstream are checked before any arithmetic.
    package func int(in range: ClosedRange<Int>) throws(JSONDecodingError) -> Int {
        let number = try int()
        guard range.contains(number) else { throw .invalidValue(path: path, reason: "\(number) is outside \(range)") }
        return number
    }

    /// A finite number that must lie in `range`.
    package func double(in range: ClosedRange<Double>) throws(JSONDecodingError) -> Double {
        let number = try double()
        guard number.isFinite, range.contains(number) else {
            throw .invalidValue(path: path, reason: "\(number) is outside \(range)")
        }
        return number
    }

    package func string(_ key: String) throws(JSONDecodingError) -> String { try field(key).string() }
    package func int(_ key: String) throws(JSONDecodingError) -> Int { try field(key).int() }
    package func optionalString(_ key: String) throws(JSONDecodingError) -> String? { try optionalField(key)?.string() }
    package func optionalInt(_ key: String) throws(JSONDecodingError) -> Int? { try optionalField(key)?.int() }
    package func elements(_ key: String) throws(JSONDecodingError) -> [JSONCursor] { try field(key).elements() }
}
