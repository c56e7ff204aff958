/// The ISO-8601 instants Genesys Cloud's analytics API reads and writes, `2026-11-27T10:00:00.000Z`, as whole Unix
/// milliseconds. Only UTC with `Z`, seconds required, up to 9 fraction digits (kept to the millisecond): the API's
/// own form. A strict parser of outside bytes (an observation's `observationDate`), so no Foundation formatter
/// whose leniency depends on the locale, and years outside 1970–9999 are refused before any arithmetic.
package enum UTCTimestamp {
    /// The earliest and latest milliseconds `format` and `parse` handle: 1970-01-01 to 9999-12-31.
    package static let range: ClosedRange<Int64> = 0...253_402_300_799_999

    /// `2026-11-27T10:00:00.000Z` for whole Unix milliseconds in `range` (clamped into it).
    package static func format(unixMillis: Int64) -> String {
        let millis = min(max(unixMillis, range.lowerBound), range.upperBound)
        let days = millis / 86_400_000
        let ofDay = millis % 86_400_000
        let (year, month, day) = CivilDate.date(days: Int(days))
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(Int(ofDay / 3_600_000), 2)):"
            + "\(pad(Int(ofDay / 60_000 % 60), 2)):\(pad(Int(ofDay / 1000 % 60), 2)).\(pad(Int(ofDay % 1000), 3))Z"
    }

    /// Whole Unix milliseconds of `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, or nil for anything else (a real calendar
    /// date and time of day, no leap second, year 1970–9999).
    package static func parse(_ text: some StringProtocol) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 30 else { return nil }
        func digits(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for index in start..<(start + count) {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        let separators: [(Int, Character)] = [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":")]
        for (index, separator) in separators where bytes[index] != separator.asciiValue { return nil }
        guard let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2), let hour = digits(11, 2),
            let minute = digits(14, 2), let second = digits(17, 2), (1970...9999).contains(year),
            (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: year)).contains(day), hour < 24,
            minute < 60,
            second < 60, bytes.last == UInt8(ascii: "Z")
        else { return nil }
        var millis = 0
        let fraction = bytes.count - 20  // between "SS" and "Z", the dot included
        if fraction > 0 {
            guard bytes[19] == UInt8(ascii: "."), fraction >= 2, fraction <= 10,
                let value = digits(20, fraction - 1)
            else { return nil }
            let places = fraction - 1
            millis = places >= 3 ? value / pow10(places - 3) : value * pow10(3 - places)
        }
        let days = Int64(CivilDate.days(year: year, month: month, day: day))
        return days * 86_400_000 + Int64(hour * 3_600_000 + minute * 60_000 + second * 1000 + millis)
    }

    private static func pow10(_ exponent: Int) -> Int {
        (0..<exponent).reduce(1) { value, _ in value * 10 }
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
