import FoundationEssentials
import GenesysBase
import Glibc

/// Reads a `Retry-After` header in either RFC 9110 §10.2.3 form: delay-seconds (`120`) or an
/// HTTP-date (`Fri, 27 Nov 2026 03:50:00 GMT`, with the obsolete RFC 850 and asctime forms that
/// recipients must accept). The header comes from upstream, so the answer is never negative and
/// never longer than `ceiling`; callers clamp further to their own backoff cap.
package enum RetryAfter {
    /// No upstream may make us wait longer than this, whatever it sends.
    package static let ceiling: Duration = .seconds(3600)

    package static func parse(_ raw: String, now: Date, ceiling: Duration = RetryAfter.ceiling) -> Duration? {
        let value = raw.trimming(" \t")
        guard !value.isEmpty, value.utf8.count <= 64 else { return nil }
        if value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // Digits only: a number too long for Int is simply "very long", so it is clamped, not rejected.
            guard let seconds = Int64(value) else { return ceiling }
            return min(.seconds(seconds), ceiling)
        }
        guard let date = HTTPDate.parse(value) else { return nil }
        let delta = date - now.timeIntervalSince1970
        guard delta.isFinite else { return nil }
        if delta <= 0 { return .zero }
        if delta >= ceiling.seconds { return ceiling }
        return .milliseconds(Int64((delta * 1000).rounded(.up)))
    }
}

/// The three date forms of RFC 9110 §5.6.7, as Unix seconds. Anything else is nil.
package enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    package static func parse(_ text: String) -> Double? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        switch words.count {
        case 6 where words[5].uppercased() == "GMT":
            // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
            return build(day: words[1], month: words[2], year: words[3], time: words[4])
        case 4 where words[3].uppercased() == "GMT":
            // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            let parts = words[1].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, parts[2].count == 2, let short = Int(parts[2]) else { return nil }
            // Two-digit years: RFC 9110 says one more than 50 years ahead means the past century.
            let year = short < 70 ? 2000 + short : 1900 + short
            return build(day: parts[0], month: parts[1], year: String(year), time: words[2])
        case 5:
            // asctime: Sun Nov  6 08:49:37 1994
            return build(day: words[2], month: words[1], year: words[4], time: words[3])
        default:
            return nil
        }
    }

    private static func build(day: String, month: String, year: String, time: String) -> Double? {
        guard let monthIndex = months.firstIndex(of: month.lowercased()),
            day.count <= 2, let day = Int(day), (1...31).contains(day),
            year.count == 4, let year = Int(year), (1900...9999).contains(year)
        else { return nil }
        let clock = time.split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }),
            let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = CivilDate.days(year: year, month: monthIndex + 1, day: day)
        return Double(days * 86_400 + hour * 3600 + minute * 60 + second)
    }

}
