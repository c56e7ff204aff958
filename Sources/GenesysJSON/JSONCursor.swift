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
/// `JSON` value, by jansson's tree read in place (`JSONParser.document`, API responses) or by a tape
/// (`JSONTape.document`, notification frames).
package struct JSONCursor: Sendable {
    private enum Node: Sendable {
        case tree(JSON)
        case jansson(JanssonNode)
        case tape(TapeNode)

        var typeName: String {
            switch self {
            case .tree(let value): value.typeName
            case .jansson(let node): node.typeName
            case .tape(let node): node.typeName
            }
        }

        /// The member `key` of an object, nil when absent or null; nil for the outer optional when not an object.
        func member(_ key: String) -> Node?? {
            switch self {
            case .tree(let value):
                guard case .object(let members) = value else { return nil }
                guard let member = members[key], member != .null else { return .some(nil) }
                return .tree(member)
            case .jansson(let node):
                guard node.type == JSON_OBJECT else { return nil }
                guard let member = node.member(key), member.type != JSON_NULL else { return .some(nil) }
                return .jansson(member)
            case .tape(let node):
                guard node.kind == .object else { return nil }
                guard let member = node.member(key), member.kind != .null else { return .some(nil) }
                return .tape(member)
            }
        }

        var string: String? {
            switch self {
            case .tree(.string(let text)): text
            case .jansson(let node) where node.type == JSON_STRING: node.string
            case .tape(let node) where node.kind == .string: node.string
            default: nil
            }
        }

        var double: Double? {
            switch self {
            case .tree(.integer(let number)): Double(number)
            case .tree(.double(let number)): number
            case .jansson(let node) where node.type == JSON_INTEGER: Double(node.integer)
            case .jansson(let node) where node.type == JSON_REAL: node.real
            case .tape(let node) where node.kind == .integer: Double(node.integer)
            case .tape(let node) where node.kind == .real: node.real
            default: nil
            }
        }

        var int: Int? {
            switch self {
            case .tree(.integer(let number)): Int(number)
            case .tree(.double(let number)) where JSONCursor.isWhole(number): Int(number)
            case .jansson(let node) where node.type == JSON_INTEGER: Int(node.integer)
            case .jansson(let node) where node.type == JSON_REAL && JSONCursor.isWhole(node.real): Int(node.real)
            case .tape(let node) where node.kind == .integer: Int(node.integer)
            case .tape(let node) where node.kind == .real && JSONCursor.isWhole(node.real): Int(node.real)
            default: nil
            }
        }
    }

    /// One step from the parent: the root's own path, a member's key or an element's index.
    private enum Step: Sendable {
        case root(String)
        case member(String)
        case element(Int)
    }

    /// Where the cursor is, as a chain back to the root: the path string is built only for an error or when asked
    /// (building it on every step was a tenth of decoding an aggregates answer). The last step is kept inline and
    /// only the parent is boxed, so the elements of one array share their parent's box and a leaf read (`string(_:)`,
    /// `optionalInt(_:in:)`, …) makes no cursor at all: a listing's page allocates nothing per entity for its path.
    private struct Location: Sendable {
        let parent: LocationBox?
        let step: Step

        var path: String {
            switch step {
            case .root(let path): return path
            case .member(let key):
                let base = parent?.location.path ?? ""
                return base.isEmpty ? key : "\(base).\(key)"
            case .element(let index): return "\(parent?.location.path ?? "")[\(index)]"
            }
        }
    }

    private final class LocationBox: Sendable {
        let location: Location

        init(_ location: Location) { self.location = location }
    }

    private let node: Node
    private let location: Location

    package init(_ value: JSON, path: String = "") {
        self.init(node: .tree(value), location: Location(parent: nil, step: .root(path)))
    }

    init(_ node: JanssonNode) {
        self.init(node: .jansson(node), location: Location(parent: nil, step: .root("")))
    }

    init(_ node: TapeNode) {
        self.init(node: .tape(node), location: Location(parent: nil, step: .root("")))
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
        case .tape(let node): node.tree
        }
    }

    private func mismatch(_ expected: String) -> JSONDecodingError {
        .typeMismatch(path: path.isEmpty ? "$" : path, expected: expected, found: node.typeName)
    }

    /// The member `key`; throws when absent or null.
    package func field(_ key: String) throws(JSONDecodingError) -> JSONCursor {
        guard let member = try optionalField(key) else { throw .missingField(path: childPath(key)) }
        return member
    }

    private func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The member `key`'s node, nil when absent or null; throws when this is not an object. Builds no cursor.
    private func memberNode(_ key: String) throws(JSONDecodingError) -> Node? {
        guard let member = node.member(key) else { throw mismatch("object") }
        return member
    }

    /// The member `key`, or nil when absent or null.
    package func optionalField(_ key: String) throws(JSONDecodingError) -> JSONCursor? {
        guard let child = try memberNode(key) else { return nil }
        return JSONCursor(node: child, location: Location(parent: LocationBox(location), step: .member(key)))
    }

    package func elements() throws(JSONDecodingError) -> [JSONCursor] {
        var cursors: [JSONCursor] = []
        try forEachElement { cursors.append($0) }
        return cursors
    }

    /// Each element in order, without building an array of them; the elements share one box for their parent.
    package func forEachElement(_ body: (JSONCursor) throws(JSONDecodingError) -> Void) throws(JSONDecodingError) {
        let parent = LocationBox(location)
        switch node {
        case .tree(let value):
            guard case .array(let items) = value else { throw mismatch("array") }
            for (index, item) in items.enumerated() {
                try body(JSONCursor(node: .tree(item), location: Location(parent: parent, step: .element(index))))
            }
        case .jansson(let node):
            guard node.type == JSON_ARRAY else { throw mismatch("array") }
            for index in 0..<json_array_size(node.pointer) {
                guard let element = json_array_get(node.pointer, index) else { continue }
                let child = JSONCursor(
                    node: .jansson(JanssonNode(document: node.document, pointer: element)),
                    location: Location(parent: parent, step: .element(index)))
                try body(child)
            }
        case .tape(let node):
            guard node.kind == .array else { throw mismatch("array") }
            try node.forEachElement { index, element throws(JSONDecodingError) in
                try body(JSONCursor(node: .tape(element), location: Location(parent: parent, step: .element(index))))
            }
        }
    }

    /// The number of elements; throws when this is not an array.
    package func count() throws(JSONDecodingError) -> Int {
        switch node {
        case .tree(.array(let items)): return items.count
        case .jansson(let node) where node.type == JSON_ARRAY: return json_array_size(node.pointer)
        case .tape(let node) where node.kind == .array: return node.count
        default: throw mismatch("array")
        }
    }

    package func string() throws(JSONDecodingError) -> String {
        guard let text = node.string else { throw mismatch("string") }
        return text
    }

    package func int() throws(JSONDecodingError) -> Int {
        guard let number = node.int else { throw mismatch("integer") }
        return number
    }

    /// A real that is a whole number well inside Int's range.
    fileprivate static func isWhole(_ number: Double) -> Bool { number.rounded() == number && abs(number) < 9e15 }

    package func double() throws(JSONDecodingError) -> Double {
        guard let number = node.double else { throw mismatch("number") }
        return number
    }

    package func bool() throws(JSONDecodingError) -> Bool {
        switch node {
        case .tree(.bool(let flag)): return flag
        case .jansson(let node) where node.type == JSON_TRUE: return true
        case .jansson(let node) where node.type == JSON_FALSE: return false
        case .tape(let node) where node.kind == .true: return true
        case .tape(let node) where node.kind == .false: return false
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

    // Leaf reads of a member: the same answers and errors as `field(key).string()` and the like, without a cursor.

    package func string(_ key: String) throws(JSONDecodingError) -> String {
        guard let text = try optionalString(key) else { throw .missingField(path: childPath(key)) }
        return text
    }

    package func int(_ key: String) throws(JSONDecodingError) -> Int {
        guard let number = try optionalInt(key) else { throw .missingField(path: childPath(key)) }
        return number
    }

    package func optionalString(_ key: String) throws(JSONDecodingError) -> String? {
        guard let member = try memberNode(key) else { return nil }
        guard let text = member.string else {
            throw .typeMismatch(path: childPath(key), expected: "string", found: member.typeName)
        }
        return text
    }

    package func optionalInt(_ key: String) throws(JSONDecodingError) -> Int? {
        guard let member = try memberNode(key) else { return nil }
        guard let number = member.int else {
            throw .typeMismatch(path: childPath(key), expected: "integer", found: member.typeName)
        }
        return number
    }

    /// `optionalField(key)?.int(in: range)` without a cursor.
    package func optionalInt(_ key: String, in range: ClosedRange<Int>) throws(JSONDecodingError) -> Int? {
        guard let number = try optionalInt(key) else { return nil }
        guard range.contains(number) else {
            throw .invalidValue(path: childPath(key), reason: "\(number) is outside \(range)")
        }
        return number
    }

    /// `optionalField(key)?.double(in: range)` without a cursor.
    package func optionalDouble(_ key: String, in range: ClosedRange<Double>) throws(JSONDecodingError) -> Double? {
        guard let member = try memberNode(key) else { return nil }
        guard let number = member.double else {
            throw .typeMismatch(path: childPath(key), expected: "number", found: member.typeName)
        }
        guard number.isFinite, range.contains(number) else {
            throw .invalidValue(path: childPath(key), reason: "\(number) is outside \(range)")
        }
        return number
    }

    package func elements(_ key: String) throws(JSONDecodingError) -> [JSONCursor] { try field(key).elements() }
}
