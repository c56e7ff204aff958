import Foundation

/// Writing JSON text for the few small documents the exporter produces itself (the token cache,
/// observation queries, JSON log lines); parsing is jansson's job.
enum JSONText {
    /// `text` as a JSON string literal, quotes included.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // Beyond what JSON requires: DEL, C1, U+2028/U+2029 and bidi overrides too, so a JSON log line
            // carries no terminal escapes or invisible layout from upstream text.
            case _ where scalar.isControlOrInvisibleLayout: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
