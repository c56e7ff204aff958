import FoundationEssentials
import Glibc

extension Unicode.Scalar {
    /// C0 and C1 control characters, DEL, the Unicode line and paragraph separators (U+2028, U+2029)
    /// and bidirectional overrides: in text from outside they could end a log line early, drive a
    /// terminal (ESC sequences) or make a line read differently from what it holds.
    package var isControlOrInvisibleLayout: Bool {
        switch value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: true
        default: properties.isBidiControl
        }
    }
}

extension Unicode.Scalar {
    /// The backslash escape both log formats (and JSON) write for this scalar: quote, backslash, the usual
    /// whitespace escapes, and `\uXXXX` for every control or invisible-layout character. Nil: write it as is.
    package var quotedStringEscape: String? {
        switch self {
        case "\"": "\\\""
        case "\\": "\\\\"
        case "\n": "\\n"
        case "\r": "\\r"
        case "\t": "\\t"
        case _ where isControlOrInvisibleLayout: "\\u" + paddedHex(value, width: 4)
        default: nil
        }
    }
}

/// Lower-case hex, zero-padded to `width` digits (what `%04x` printed, without Foundation's formatter).
private func paddedHex(_ value: UInt32, width: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
