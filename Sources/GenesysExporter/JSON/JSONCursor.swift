/// A decoding failure that names the field path, e.g. `entities[3].name`.
public enum JSONDecodingError: Error, Equatable, CustomStringConvertible, Sendable {
    case missingField(path: String)
    case typeMismatch(path: String, expected: String, found: String)
    case invalidValue(path: String, reason: String)

    public var path: String {
        switch self {
        case .missingField(let path), .typeMismatch(let path, _, _), .invalidValue(let path, _): path
        }
    }

    public var description: String {
        switch self {
        case .missingField(let path): "missing field \(path)"
        case .typeMismatch(let path, let expected, let found): "field \(path): expected \(expected), found \(found)"
        case .invalidValue(let path, let reason): "field \(path): \(reason)"
        }
    }
}

/// A position in a JSON document with typed accessors whose errors carry the path.
public struct JSONCursor: Sendable {
    public let value: JSON
    public let path: String

    public init(_ value: JSON, path: String = "") {
        self.value = value
        self.path = path
    }

    private func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func mismatch(_ expected: String) -> JSONDecodingError {
        .typeMismatch(path: path.isEmpty ? "$" : path, expected: expected, found: value.typeName)
    }

    /// The member `key`; throws when absent or null.
    public func field(_ key: String) throws(JSONDecodingError) -> JSONCursor {
        guard let member = try optionalField(key) else { throw .missingField(path: childPath(key)) }
        return member
    }

    /// The member `key`, or nil when absent or null.
    public func optionalField(_ key: String) throws(JSONDecodingError) -> JSONCursor? {
        guard case .object(let members) = value else { throw mismatch("object") }
        guard let member = members[key], member != .null else { return nil }
        return JSONCursor(member, path: childPath(key))
    }

    public func elements() throws(JSONDecodingError) -> [JSONCursor] {
        guard case .array(let items) = value else { throw mismatch("array") }
        return items.enumerated().map { JSONCursor($0.element, path: "\(path)[\($0.offset)]") }
    }

    public func string() throws(JSONDecodingError) -> String {
        guard case .string(let text) = value else { throw mismatch("string") }
        return text
    }

    public func int() throws(JSONDecodingError) -> Int {
        switch value {
        case .integer(let number): return Int(number)
        case .double(let number) where number.rounded() == number && abs(number) < 9e15: return Int(number)
        default: throw mismatch("integer")
        }
    }

    public func double() throws(JSONDecodingError) -> Double {
        switch value {
        case .integer(let number): return Double(number)
        case .double(let number): return number
        default: throw mismatch("number")
        }
    }

    public func bool() throws(JSONDecodingError) -> Bool {
        guard case .bool(let flag) = value else { throw mismatch("boolean") }
        return flag
    }

    /// An integer that must lie in `range`: counts and totals from upstream are checked before any arithmetic.
    public func int(in range: ClosedRange<Int>) throws(JSONDecodingError) -> Int {
        let number = try int()
        guard range.contains(number) else { throw .invalidValue(path: path, reason: "\(number) is outside \(range)") }
        return number
    }

    /// A finite number that must lie in `range`.
    public func double(in range: ClosedRange<Double>) throws(JSONDecodingError) -> Double {
        let number = try double()
        guard number.isFinite, range.contains(number) else { throw .invalidValue(path: path, reason: "\(number) is outside \(range)") }
        return number
    }

    public func string(_ key: String) throws(JSONDecodingError) -> String { try field(key).string() }
    public func int(_ key: String) throws(JSONDecodingError) -> Int { try field(key).int() }
    public func optionalString(_ key: String) throws(JSONDecodingError) -> String? { try optionalField(key)?.string() }
    public func optionalInt(_ key: String) throws(JSONDecodingError) -> Int? { try optionalField(key)?.int() }
    public func elements(_ key: String) throws(JSONDecodingError) -> [JSONCursor] { try field(key).elements() }
}
