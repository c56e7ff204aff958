import CJansson

/// Why bytes could not be parsed: jansson's own message with its position.
package struct JSONParseError: Error, Equatable, CustomStringConvertible, Sendable {
    package let line: Int
    package let column: Int
    package let position: Int
    package let text: String

    package var description: String { "invalid JSON at line \(line), column \(column): \(text)" }
}

/// Parses bytes with jansson into a `JSON` value.
package enum JSONParser {
    /// jansson is set up once, before its first allocation, with a counting allocator for leak tests.
    private static let allocatorInstalled: Bool = {
        gx_json_install_counting_allocator()
        return true
    }()

    package static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSON {
        let root = try load(bytes)
        defer { json_decref(root) }
        return convert(root)
    }

    /// The document for decoders to read in place (`JSONCursor`), without a Swift copy of the tree.
    package static func document(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONCursor {
        let document = JanssonDocument(root: try load(bytes))
        return JSONCursor(JanssonNode(document: document, pointer: document.root))
    }

    private static func load(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> UnsafeMutablePointer<json_t> {
        _ = allocatorInstalled
        // One arena per document (see shim.h); `end` runs before any other parse can start on this thread.
        let arena = gx_json_arena_begin() != 0
        defer { if arena { gx_json_arena_end() } }
        var error = json_error_t()
        let root: UnsafeMutablePointer<json_t>? =
            bytes.withContiguousStorageIfAvailable { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    json_loadb(chars.baseAddress, chars.count, Int(JSON_DECODE_ANY | JSON_ALLOW_NUL), &error)
                }
            }
            ?? Array(bytes).withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    json_loadb(chars.baseAddress, chars.count, Int(JSON_DECODE_ANY | JSON_ALLOW_NUL), &error)
                }
            }
        guard let root else {
            throw JSONParseError(
                line: Int(error.line), column: Int(error.column), position: Int(error.position),
                text: errorText(&error))
        }
        return root
    }

    package static func parse(_ text: String) throws(JSONParseError) -> JSON {
        try parse(Array(text.utf8))
    }

    /// Net jansson allocations on the calling thread, for leak tests.
    package static var liveAllocationsOnThisThread: Int {
        _ = allocatorInstalled
        return gx_json_live_allocations_on_this_thread()
    }

    private static func errorText(_ error: inout json_error_t) -> String {
        withUnsafeBytes(of: &error.text) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    static func convert(_ value: UnsafeMutablePointer<json_t>) -> JSON {
        switch gx_json_type(value) {
        case JSON_OBJECT:
            var members: [String: JSON] = [:]
            members.reserveCapacity(json_object_size(value))
            var iterator = json_object_iter(value)
            while let current = iterator {
                let key = String(cString: json_object_iter_key(current))
                if let member = json_object_iter_value(current) {
                    members[key] = convert(member)
                }
                iterator = json_object_iter_next(value, current)
            }
            return .object(members)
        case JSON_ARRAY:
            let count = json_array_size(value)
            var elements: [JSON] = []
            elements.reserveCapacity(count)
            for index in 0..<count {
                if let element = json_array_get(value, index) { elements.append(convert(element)) }
            }
            return .array(elements)
        case JSON_STRING:
            let length = json_string_length(value)
            guard let chars = json_string_value(value) else { return .string("") }
            let buffer = UnsafeRawBufferPointer(start: chars, count: length)
            return .string(String(decoding: buffer, as: UTF8.self))
        case JSON_INTEGER:
            return .integer(Int64(json_integer_value(value)))
        case JSON_REAL:
            return .double(json_real_value(value))
        case JSON_TRUE:
            return .bool(true)
        case JSON_FALSE:
            return .bool(false)
        default:
            return .null
        }
    }
}
