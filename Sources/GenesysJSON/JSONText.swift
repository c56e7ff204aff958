import FoundationEssentials
import Glibc

/// Writing JSON text for the few small documents the exporter produces itself (the token cache,
/// observation queries, JSON log lines); parsing is jansson's job.
package enum JSONText {
    /// `text` as a JSON string literal, quotes included.
    package static func quoted(_ text: String) -> String {
        // Ids are printable ASCII, which needs no escape: the per-scalar property lookups below were 1.9% of the
        // 200-org benchmark's CPU, spent quoting queue ids into every analytics query.
        if text.utf8.allSatisfy(isPlainASCII) { return "\"" + text + "\"" }
        var out = "\""
        // Beyond what JSON requires: DEL, C1, U+2028/U+2029 and bidi overrides are escaped too, so a JSON log
        // line carries no terminal escapes or invisible layout from upstream text.
        for scalar in text.unicodeScalars {
            if let escape = scalar.quotedStringEscape { out += escape } else { out.unicodeScalars.append(scalar) }
        }
        return out + "\""
    }

    private static func isPlainASCII(_ byte: UInt8) -> Bool {
        (0x20...0x7E).contains(byte) && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
    }
}
