import FoundationEssentials
import Glibc

/// Writing JSON text for the few small documents the exporter produces itself (the token cache,
/// observation queries, JSON log lines); parsing is jansson's job.
package enum JSONText {
    /// `text` as a JSON string literal, quotes included.
    package static func quoted(_ text: String) -> String {
        var out = "\""
        // Beyond what JSON requires: DEL, C1, U+2028/U+2029 and bidi overrides are escaped too, so a JSON log
        // line carries no terminal escapes or invisible layout from upstream text.
        for scalar in text.unicodeScalars {
            if let escape = scalar.quotedStringEscape { out += escape } else { out.unicodeScalars.append(scalar) }
        }
        return out + "\""
    }
}
