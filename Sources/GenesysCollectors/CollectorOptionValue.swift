import GenesysBase
import GenesysTelemetry

/// Reads one `--collector.<name>.<option>` value: nil when the option is not given, the value when it is usable, and
/// otherwise a refusal naming the flag (quoting at most 80 characters of what was given).
enum CollectorOptionValue {
    /// A duration of at least `least` and, when given, at most `most`.
    static func duration(
        _ options: [String: String], _ option: String, of collector: String, least: Duration, most: Duration? = nil
    ) throws(ConfigurationError) -> Duration? {
        guard let text = options[option] else { return nil }
        guard let value = DurationParser.parse(text), value >= least, value <= (most ?? value) else {
            let range = most.map { "from \(shown(least)) to \(shown($0))" } ?? "of \(shown(least)) or more"
            throw refusal(collector, option, text, "is not a duration \(range)")
        }
        return value
    }

    /// A whole number in `range`.
    static func wholeNumber(
        _ options: [String: String], _ option: String, of collector: String, in range: ClosedRange<Int>
    ) throws(ConfigurationError) -> Int? {
        guard let text = options[option] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw refusal(
                collector, option, text, "is not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// `true` or `false`, in any case.
    static func bool(
        _ options: [String: String], _ option: String, of collector: String
    ) throws(ConfigurationError)
        -> Bool?
    {
        guard let text = options[option] else { return nil }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw refusal(collector, option, text, "is neither true nor false")
        }
    }

    /// A comma-separated list of `choices` (spaces around items ignored), `all` for every choice or `none` for
    /// none; each choice once, in the order of `choices`.
    static func choices(
        _ options: [String: String], _ option: String, of collector: String, from choices: [String]
    ) throws(ConfigurationError) -> [String]? {
        guard let text = options[option] else { return nil }
        let items = text.split(separator: ",").map { String($0).trimming(" \t") }
        if items == ["all"] { return choices }
        if items == ["none"] || items.isEmpty { return [] }
        if let unknown = items.first(where: { !choices.contains($0) }) {
            throw refusal(
                collector, option, text,
                "names '\(SafeExcerpt.of(unknown, limit: 40))', which is none of all, none, "
                    + choices.joined(separator: ", "))
        }
        return choices.filter(items.contains)
    }

    private static func refusal(
        _ collector: String, _ option: String, _ text: String, _ problem: String
    )
        -> ConfigurationError
    {
        .invalid(
            setting: "--collector.\(collector).\(option)", reason: "'\(SafeExcerpt.of(text, limit: 80))' \(problem)")
    }

    /// `90s`, `5m`, `1h`: the largest whole unit.
    static func shown(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        if seconds >= 3600 && seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds >= 60 && seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
