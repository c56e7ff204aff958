import CJansson

/// A jansson tree that decoders read in place, so decoding a page builds no Swift copy of it: a listing of
/// 5,000 queues costs jansson's parse and the few fields the exporter keeps.
// Owns a tree nothing mutates after parsing; released once, in deinit.
final class JanssonDocument: @unchecked Sendable {
    let root: UnsafeMutablePointer<json_t>

    init(root: UnsafeMutablePointer<json_t>) { self.root = root }

    deinit { json_decref(root) }
}

/// One value inside a `JanssonDocument`, which it keeps alive.
struct JanssonNode: @unchecked Sendable {  // Points into `document`, which outlives it and is never mutated.
    let document: JanssonDocument
    let pointer: UnsafeMutablePointer<json_t>

    var type: json_type { gx_json_type(pointer) }

    var typeName: String {
        switch type {
        case JSON_OBJECT: "object"
        case JSON_ARRAY: "array"
        case JSON_STRING: "string"
        case JSON_INTEGER: "integer"
        case JSON_REAL: "real"
        case JSON_TRUE, JSON_FALSE: "boolean"
        default: "null"
        }
    }

    /// The member `key` of an object, nil when absent; the caller has checked the type.
    func member(_ key: String) -> JanssonNode? {
        key.withCString { json_object_get(pointer, $0) }.map { JanssonNode(document: document, pointer: $0) }
    }

    /// The string's bytes as UTF-8 (jansson has already checked them; NUL is allowed inside).
    var string: String {
        guard let chars = json_string_value(pointer) else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: chars, count: json_string_length(pointer)), as: UTF8.self)
    }

    var integer: Int64 { Int64(json_integer_value(pointer)) }
    var real: Double { json_real_value(pointer) }

    /// The value as a Swift `JSON` (tests, error reporting).
    var tree: JSON { JSONParser.convert(pointer) }
}
