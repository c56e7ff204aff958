import FoundationEssentials
import Glibc

/// The IMF-fixdate form of an HTTP-date (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`: what the
/// simulator sends in `Date`, and what tests put in a `Retry-After`.
package enum IMFFixdate {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `date` in IMF-fixdate form (whole seconds, truncated).
    package static func string(from date: Date) -> String {
        let parts = Calendar.gmt.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        func two(_ value: Int?) -> String {
            let value = value ?? 0
            return value < 10 ? "0\(value)" : String(value)
        }
        let weekday = weekdays[((parts.weekday ?? 1) - 1) % 7]
        let month = months[((parts.month ?? 1) - 1) % 12]
        let time = "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second))"
        return "\(weekday), \(two(parts.day)) \(month) \(parts.year ?? 1970) \(time) GMT"
    }

    /// The HTTP-date `delay` from now, for a `Retry-After` in its date form. Whole seconds: rounded up,
    /// so the date is never earlier than `delay` from now.
    package static func after(_ delay: Duration, from now: Date = Date()) -> String {
        let target = (now + delay.timeInterval).timeIntervalSince1970.rounded(.up)
        return string(from: Date(timeIntervalSince1970: target))
    }
}

extension Calendar {
    fileprivate static let gmt: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "GMT") ?? TimeZone(secondsFromGMT: 0)!
        return calendar
    }()
}

extension Duration {
    fileprivate var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
