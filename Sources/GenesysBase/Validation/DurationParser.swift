/// Parses Prometheus-style durations: `90s`, `1m30s`, `500ms`, `2h`; a bare number means seconds.

package enum DurationParser {
    /// About a century: longer values are typos, and far longer ones would overflow `Duration`.
    static let maximumSeconds = 100 * 365.25 * 86400

    package static func parse(_ text: String) -> Duration? {
        var scalars = Substring(text).unicodeScalars
        while scalars.first == " " { scalars.removeFirst() }
        while scalars.last == " " { scalars.removeLast() }
        let trimmed = String(scalars)
        if let seconds = Double(trimmed) { return duration(seconds: seconds) }
        var total = 0.0
        var number = ""
        var remaining = Substring(trimmed)
        guard !remaining.isEmpty else { return nil }
        while let character = remaining.first {
            if character.isNumber || character == "." {
                number.append(character)
                remaining.removeFirst()
                continue
            }
            guard let value = Double(number) else { return nil }
            let unit: Double
            if remaining.hasPrefix("ms") {
                unit = 0.001; remaining.removeFirst(2)
            } else if remaining.hasPrefix("s") {
                unit = 1; remaining.removeFirst()
            } else if remaining.hasPrefix("m") {
                unit = 60; remaining.removeFirst()
            } else if remaining.hasPrefix("h") {
                unit = 3600; remaining.removeFirst()
            } else if remaining.hasPrefix("d") {
                unit = 86400; remaining.removeFirst()
            } else {
                return nil
            }
            total += value * unit
            number = ""
        }
        return number.isEmpty ? duration(seconds: total) : nil
    }

    /// Whole milliseconds; nil for negative, non-finite (`inf`, `nan`, `1e400`) or absurdly long values,
    /// which would otherwise trap converting to an integer.
    private static func duration(seconds: Double) -> Duration? {
        guard seconds.isFinite, seconds >= 0, seconds <= maximumSeconds else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
