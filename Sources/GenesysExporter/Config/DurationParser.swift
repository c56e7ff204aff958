/// Parses Prometheus-style durations: `90s`, `1m30s`, `500ms`, `2h`; a bare number means seconds.
public enum DurationParser {
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimming(" ")
        if let seconds = Double(trimmed), seconds >= 0 { return .milliseconds(Int64((seconds * 1000).rounded())) }
        var total = Duration.zero
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
            let unit: Duration
            if remaining.hasPrefix("ms") { unit = .milliseconds(1); remaining.removeFirst(2) }
            else if remaining.hasPrefix("s") { unit = .seconds(1); remaining.removeFirst() }
            else if remaining.hasPrefix("m") { unit = .seconds(60); remaining.removeFirst() }
            else if remaining.hasPrefix("h") { unit = .seconds(3600); remaining.removeFirst() }
            else if remaining.hasPrefix("d") { unit = .seconds(86400); remaining.removeFirst() }
            else { return nil }
            total += unit * value
            number = ""
        }
        return number.isEmpty ? total : nil
    }
}
