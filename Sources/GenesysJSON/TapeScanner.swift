import GenesysBase

/// Why the scanner stopped: the byte offset and jansson's wording.
struct TapeScanError: Error {
    let position: Int
    let text: String
}

/// The tape's parser: one pass over the bytes without recursion (an explicit stack of open containers, so hostile
/// nesting costs memory, not the thread's stack), validating as jansson does.
struct TapeScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// What the parser expects next.
    private enum Expect {
        case value
        /// After `[`: a value or `]`.
        case firstElement
        /// After `{`: a key or `}`.
        case firstKey
        /// After `,` in an object.
        case key
        /// After a value: `,`, the container's end, or the end of the input at the top.
        case separator
    }

    mutating func run(into tokens: inout [TapeToken]) throws(TapeScanError) {
        var open: [Int] = []  // indices of the containers not yet closed
        var expect = Expect.value
        while true {
            skipWhitespace()
            switch expect {
            case .value, .firstElement:
                guard position < bytes.count else { throw fail("unexpected end of input") }
                let byte = bytes[position]
                if expect == .firstElement && byte == UInt8(ascii: "]") {
                    close(&open, &tokens)
                    expect = .separator
                    continue
                }
                guard open.count < JSONTape.maximumDepth else { throw fail("maximum parsing depth reached") }
                if let parent = open.last, tokens[parent].kind == .array { tokens[parent].count += 1 }
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    let isObject = byte == UInt8(ascii: "{")
                    open.append(tokens.count)
                    tokens.append(TapeToken(kind: isObject ? .object : .array))
                    position += 1
                    expect = isObject ? .firstKey : .firstElement
                    continue
                case UInt8(ascii: "\""):
                    tokens.append(try string(key: false))
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    tokens.append(try number())
                case UInt8(ascii: "t"): tokens.append(try literal("true", .true))
                case UInt8(ascii: "f"): tokens.append(try literal("false", .false))
                case UInt8(ascii: "n"): tokens.append(try literal("null", .null))
                default: throw fail("invalid token")
                }
                tokens[tokens.count - 1].next = UInt32(tokens.count)
                expect = .separator
            case .firstKey, .key:
                guard position < bytes.count else { throw fail("unexpected end of input") }
                if expect == .firstKey && bytes[position] == UInt8(ascii: "}") {
                    close(&open, &tokens)
                    expect = .separator
                    continue
                }
                guard bytes[position] == UInt8(ascii: "\"") else { throw fail("string or '}' expected") }
                var key = try string(key: true)
                key.next = UInt32(tokens.count + 1)
                tokens.append(key)
                tokens[open[open.count - 1]].count += 1
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw fail("':' expected") }
                position += 1
                expect = .value
            case .separator:
                guard let parent = open.last else {
                    guard position == bytes.count else { throw fail("end of file expected") }
                    return
                }
                guard position < bytes.count else { throw fail("unexpected end of input") }
                let isObject = tokens[parent].kind == .object
                switch bytes[position] {
                case UInt8(ascii: ","):
                    position += 1
                    expect = isObject ? .key : .value
                case UInt8(ascii: "}") where isObject, UInt8(ascii: "]") where !isObject:
                    close(&open, &tokens)
                default:
                    throw fail(isObject ? "'}' expected" : "']' expected")
                }
            }
        }
    }

    private mutating func close(_ open: inout [Int], _ tokens: inout [TapeToken]) {
        tokens[open.removeLast()].next = UInt32(tokens.count)
        position += 1
    }

    private func fail(_ text: String) -> TapeScanError { TapeScanError(position: position, text: text) }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): position += 1
            default: return
            }
        }
    }

    private mutating func literal(_ word: StaticString, _ kind: TapeToken.Kind) throws(TapeScanError) -> TapeToken {
        let count = word.utf8CodeUnitCount
        guard bytes.count - position >= count else { throw fail("invalid token") }
        for offset in 0..<count where bytes[position + offset] != word.utf8Start[offset] {
            throw fail("invalid token")
        }
        position += count
        return TapeToken(kind: kind)
    }

    // MARK: Strings

    /// A string from its opening quote: control characters, bad escapes, lone surrogates and malformed UTF-8 are
    /// refused; a key may not hold `\u0000` (jansson's rule).
    private mutating func string(key: Bool) throws(TapeScanError) -> TapeToken {
        position += 1
        var token = TapeToken(kind: .string, start: UInt32(position))
        while true {
            guard position < bytes.count else { throw fail("premature end of input") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte < 0x20 { throw fail("control character 0x\(String(byte, radix: 16))") }
            if byte == UInt8(ascii: "\\") {
                token.escaped = true
                if try escape() == 0 && key { throw fail("NUL byte in object key not supported") }
            } else if byte < 0x80 {
                position += 1
            } else {
                try utf8Sequence()
            }
        }
        token.end = UInt32(position)
        position += 1
        return token
    }

    /// One escape from its backslash; returns the code point.
    private mutating func escape() throws(TapeScanError) -> UInt32 {
        guard position + 1 < bytes.count else { throw fail("premature end of input") }
        switch bytes[position + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 2
            return 1
        case UInt8(ascii: "u"):
            let first = try hexEscape()
            if (0xDC00...0xDFFF).contains(first) { throw fail("invalid Unicode") }
            guard (0xD800...0xDBFF).contains(first) else { return first }
            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                bytes[position + 1] == UInt8(ascii: "u")
            else { throw fail("invalid Unicode") }
            let second = try hexEscape()
            guard (0xDC00...0xDFFF).contains(second) else { throw fail("invalid Unicode") }
            return 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        default:
            throw fail("invalid escape")
        }
    }

    /// `\uXXXX` from its backslash.
    private mutating func hexEscape() throws(TapeScanError) -> UInt32 {
        guard bytes.count - position >= 6 else { throw fail("invalid escape") }
        var value: UInt32 = 0
        for offset in 2..<6 {
            guard let digit = HexDigit.value(bytes[position + offset]) else { throw fail("invalid escape") }
            value = value << 4 | UInt32(digit)
        }
        position += 6
        return value
    }

    /// One multi-byte UTF-8 character (RFC 3629: no overlong forms, surrogates or values over U+10FFFF).
    private mutating func utf8Sequence() throws(TapeScanError) {
        let lead = bytes[position]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            low = 0xA0
        case 0xED:
            length = 3
            high = 0x9F
        case 0xE1...0xEF: length = 3
        case 0xF0:
            length = 4
            low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            high = 0x8F
        default: throw fail("unable to decode byte 0x\(String(lead, radix: 16))")
        }
        guard bytes.count - position >= length else { throw fail("premature end of input") }
        for offset in 1..<length {
            let byte = bytes[position + offset]
            let range = offset == 1 ? low...high : 0x80...0xBF
            guard range.contains(byte) else { throw fail("unable to decode byte 0x\(String(byte, radix: 16))") }
        }
        position += length
    }

    // MARK: Numbers

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`: an integer when it has neither fraction nor exponent and
    /// fits Int64, otherwise a finite real.
    private mutating func number() throws(TapeScanError) -> TapeToken {
        let start = position
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid token") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) { throw fail("invalid token") }
        } else {
            skipDigits()
        }
        let integerEnd = position
        var real = false
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid token") }
            skipDigits()
            real = true
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid token") }
            skipDigits()
            real = true
        }
        guard real else {
            return TapeToken(kind: .integer, number: UInt64(bitPattern: try integer(from: start, to: integerEnd)))
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw TapeScanError(position: start, text: "real number overflow")
        }
        return TapeToken(kind: .real, number: value.bitPattern)
    }

    /// The digits between `start` (maybe a minus sign) and `end`, accumulated negatively so Int64.min fits.
    private func integer(from start: Int, to end: Int) throws(TapeScanError) -> Int64 {
        let negative = bytes[start] == UInt8(ascii: "-")
        var value: Int64 = 0
        for index in (negative ? start + 1 : start)..<end {
            let (scaled, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowMinus) = scaled.subtractingReportingOverflow(Int64(bytes[index] - UInt8(ascii: "0")))
            guard !overflowTimes, !overflowMinus else {
                throw TapeScanError(position: start, text: negative ? "too big negative integer" : "too big integer")
            }
            value = next
        }
        if negative { return value }
        guard value != .min else { throw TapeScanError(position: start, text: "too big integer") }
        return -value
    }

    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

/// Decoding a string's escapes, which the scanner has already checked.
enum TapeEscapes {
    static func decode(_ raw: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            let kind = raw[index + 1]
            index += 2
            switch kind {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex(raw, at: index)
                index += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (hex(raw, at: index + 2) - 0xDC00)
                    index += 6
                }
                appendUTF8(scalar, to: &output)
            default: output.append(kind)  // " \ /
            }
        }
        return output
    }

    /// A scalar the scanner has checked (no surrogate, at most U+10FFFF) as UTF-8.
    private static func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
        switch scalar {
        case ..<0x80: output.append(UInt8(scalar))
        case ..<0x800: output += [UInt8(0xC0 | scalar >> 6), UInt8(0x80 | scalar & 0x3F)]
        case ..<0x10000:
            output += [UInt8(0xE0 | scalar >> 12), UInt8(0x80 | scalar >> 6 & 0x3F), UInt8(0x80 | scalar & 0x3F)]
        default:
            output += [
                UInt8(0xF0 | scalar >> 18), UInt8(0x80 | scalar >> 12 & 0x3F), UInt8(0x80 | scalar >> 6 & 0x3F),
                UInt8(0x80 | scalar & 0x3F),
            ]
        }
    }

    private static func hex(_ raw: ArraySlice<UInt8>, at index: Int) -> UInt32 {
        (0..<4).reduce(0) { value, offset in value << 4 | UInt32(HexDigit.value(raw[index + offset]) ?? 0) }
    }
}
