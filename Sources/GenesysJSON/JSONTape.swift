/// A parse into one flat array of tokens over a copy of the bytes, for small documents that arrive thousands of
/// times a second (notification frames). jansson builds a tree with a hash table per object and a block per value;
/// for a 430-byte queue observation that was half the cost of a message. The tape accepts what jansson accepts
/// with the flags `JSONParser` uses (any top-level value, `\u0000` in strings but not in keys, integers in Int64,
/// finite reals, depth at most 2,048) and reads the same values; the `json-tape` fuzz target holds it to that. The
/// one difference: a raw NUL byte, which jansson skips after a number or a literal, the tape refuses everywhere.
/// Decoders read it through `JSONCursor`, as they read jansson's tree.
package enum JSONTape {
    /// jansson's `JSON_PARSER_MAX_DEPTH`: a value nested in more than 2,047 containers is refused.
    static let maximumDepth = 2048

    /// The document for decoders to read in place.
    package static func document(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONCursor {
        JSONCursor(TapeNode(document: try parse(Array(bytes)), index: 0))
    }

    static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> TapeDocument {
        guard bytes.count < Int(UInt32.max) else {
            throw JSONParseError(line: 1, column: 0, position: 0, text: "input too big")
        }
        var tokens: [TapeToken] = []
        // A notification frame has about a token per 8 bytes; a large page grows its array instead of reserving a
        // worst case.
        tokens.reserveCapacity(bytes.count < 65_536 ? bytes.count / 6 + 8 : bytes.count / 16)
        let failure = bytes.withUnsafeBufferPointer { buffer -> TapeScanError? in
            var scanner = TapeScanner(bytes: buffer)
            do throws(TapeScanError) {
                try scanner.run(into: &tokens)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw JSONParseError(at: failure.position, in: bytes, text: failure.text) }
        return TapeDocument(bytes: bytes, tokens: tokens)
    }
}

/// One value on the tape. Containers are followed by their contents (an object's as key, value, key, value…);
/// `next` is the index just past a value's contents, so a reader steps over a member in one move.
struct TapeToken: Sendable {
    enum Kind: UInt8, Sendable { case object, array, string, integer, real, `true`, `false`, null }

    var kind: Kind
    /// A string with backslash escapes, decoded when read.
    var escaped = false
    /// A string's bytes between its quotes.
    var start: UInt32 = 0
    var end: UInt32 = 0
    var next: UInt32 = 0
    /// A container's elements or members.
    var count: UInt32 = 0
    /// An integer's value, or a real's bit pattern.
    var number: UInt64 = 0
}

/// A parsed document: the bytes and their tape, never mutated after parsing.
final class TapeDocument: Sendable {
    let bytes: [UInt8]
    let tokens: [TapeToken]

    init(bytes: [UInt8], tokens: [TapeToken]) {
        self.bytes = bytes
        self.tokens = tokens
    }
}

/// One value inside a `TapeDocument`, which it keeps alive.
struct TapeNode: Sendable {
    let document: TapeDocument
    let index: Int

    var token: TapeToken { document.tokens[index] }
    var kind: TapeToken.Kind { token.kind }

    var typeName: String {
        switch kind {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .integer: "integer"
        case .real: "real"
        case .true, .false: "boolean"
        case .null: "null"
        }
    }

    /// The member `key` of an object, nil when absent (the last one when a key repeats, as jansson keeps it); the
    /// caller has checked the type.
    func member(_ key: String) -> TapeNode? {
        let tokens = document.tokens
        let end = Int(tokens[index].next)
        var found: Int?
        var position = index + 1
        var key = key
        key.withUTF8 { wanted in
            while position < end {
                if keyEquals(tokens[position], wanted) { found = position + 1 }
                position = Int(tokens[position + 1].next)
            }
        }
        return found.map { TapeNode(document: document, index: $0) }
    }

    private func keyEquals(_ token: TapeToken, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
        if token.escaped { return TapeEscapes.decode(raw(token)).elementsEqual(wanted) }
        guard Int(token.end - token.start) == wanted.count else { return false }
        // Compared in place: a slice's generic `elementsEqual` showed in the streaming fleet's profile.
        return document.bytes.withUnsafeBufferPointer { bytes in
            let start = Int(token.start)
            for offset in 0..<wanted.count where bytes[start + offset] != wanted[offset] { return false }
            return true
        }
    }

    /// Each element's node in order; the caller has checked the type.
    func forEachElement(_ body: (Int, TapeNode) throws(JSONDecodingError) -> Void) throws(JSONDecodingError) {
        let tokens = document.tokens
        let end = Int(tokens[index].next)
        var position = index + 1
        var offset = 0
        while position < end {
            try body(offset, TapeNode(document: document, index: position))
            position = Int(tokens[position].next)
            offset += 1
        }
    }

    var count: Int { Int(token.count) }

    /// Read in place when it has no escapes: an array of its bytes first was an allocation per string read.
    var string: String {
        let token = token
        guard !token.escaped else { return String(decoding: TapeEscapes.decode(raw(token)), as: UTF8.self) }
        return document.bytes.withUnsafeBufferPointer { bytes in
            String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(token.start)..<Int(token.end)]), as: UTF8.self)
        }
    }

    /// A string token's bytes as written, escapes included (the scanner has checked them).
    private func raw(_ token: TapeToken) -> ArraySlice<UInt8> { document.bytes[Int(token.start)..<Int(token.end)] }

    var integer: Int64 { Int64(bitPattern: token.number) }
    var real: Double { Double(bitPattern: token.number) }

    /// The value as a Swift `JSON` (tests, error reporting).
    var tree: JSON {
        switch kind {
        case .object:
            var members: [String: JSON] = [:]
            let tokens = document.tokens
            var position = index + 1
            while position < Int(token.next) {
                let key = TapeNode(document: document, index: position).string
                members[key] = TapeNode(document: document, index: position + 1).tree
                position = Int(tokens[position + 1].next)
            }
            return .object(members)
        case .array:
            var elements: [JSON] = []
            elements.reserveCapacity(count)
            try? forEachElement { _, element in elements.append(element.tree) }
            return .array(elements)
        case .string: return .string(string)
        case .integer: return .integer(integer)
        case .real: return .double(real)
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .null: return .null
        }
    }
}

extension JSONParseError {
    /// An error at a byte offset, counted as jansson counts it: the bytes read up to and including the offending one,
    /// and that byte's 1-based line and column.
    init(at offset: Int, in bytes: [UInt8], text: String) {
        let position = min(offset + 1, bytes.count)
        var line = 1
        var column = 0
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 0
            } else {
                column += 1
            }
        }
        self.init(line: line, column: column + 1, position: position, text: text)
    }
}
