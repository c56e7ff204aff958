/// Text from a response body made fit for a log line, an error message, `check`'s table or `/-/ready`:
/// one line, no control or invisible layout characters, and short.
import GenesysJSON

package enum SafeExcerpt {
    /// `text` with every run of control, separator or whitespace characters turned into one space, trimmed,
    /// and cut to `limit` characters (the last one then `…`).
    package static func of(_ text: String, limit: Int = 200) -> String {
        guard limit > 0 else { return "" }
        var kept = String.UnicodeScalarView()
        var spacePending = false
        // Bounds the work on a huge body, and the size when combining marks make few characters of many scalars.
        var budget = limit * 4
        var cut = false
        for scalar in text.unicodeScalars {
            if scalar.isControlOrInvisibleLayout || scalar.properties.isWhitespace {
                spacePending = !kept.isEmpty
                continue
            }
            guard budget > 0 else {
                cut = true
                break
            }
            if spacePending {
                kept.append(" ")
                spacePending = false
                budget -= 1
            }
            kept.append(scalar)
            budget -= 1
        }
        let clean = String(kept)
        guard cut || clean.count > limit else { return clean }
        return String(clean.prefix(limit - 1)) + "…"
    }
}
