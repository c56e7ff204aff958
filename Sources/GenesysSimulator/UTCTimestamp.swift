/// ISO-8601 UTC instants as the analytics API writes them (`2026-11-27T10:00:00.000Z`), in Unix milliseconds.
/// Hand-written so every field is range-checked before any arithmetic.
enum UTCTimestamp {
    /// Years an interval may name; anything else is refused before arithmetic.
    static let years: ClosedRange<Int> = 2000...2100
    static let millisPerDay: Int64 = 86_400_000

    /// `YYYY-MM-DDTHH:MM:SS(.f{1,9})Z` in Unix milliseconds (fraction truncated to ms); nil when malformed or
    /// outside `years`.
    static func parse<S: StringProtocol>(_ text: S) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func separator(_ index: Int, _ character: Character) -> Bool {
            bytes[index] == character.asciiValue
        }
        guard separator(4, "-"), separator(7, "-"), separator(10, "T"), separator(13, ":"), separator(16, ":"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            years.contains(year), (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second)
        else { return nil }
        var millis = 0
        let fractionEnd = bytes.count - 1
        if fractionEnd > 19 {
            // A fraction: a dot and 1...9 digits, truncated to milliseconds.
            let digits = fractionEnd - 20
            guard separator(19, "."), (1...9).contains(digits), let fraction = number(20..<fractionEnd) else {
                return nil
            }
            var scaled = fraction
            for _ in 0..<max(0, digits - 3) { scaled /= 10 }
            for _ in 0..<max(0, 3 - digits) { scaled *= 10 }
            millis = scaled
        }
        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        let seconds = Int64(hour * 3600 + minute * 60 + second)
        return days * millisPerDay + seconds * 1000 + Int64(millis)
    }

    /// Unix milliseconds as `YYYY-MM-DDTHH:MM:SS.fffZ` (negative values are clamped to the Unix epoch).
    static func format(millis: Int64) -> String {
        let millis = max(0, millis)
        let days = millis / millisPerDay
        let inDay = millis % millisPerDay
        let (year, month, day) = civilFromDays(Int(days))
        let hour = Int(inDay / 3_600_000)
        let minute = Int(inDay / 60_000 % 60)
        let second = Int(inDay / 1000 % 60)
        let fraction = Int(inDay % 1000)
        return String(year).leftPadded(to: 4) + "-" + String(month).leftPadded(to: 2) + "-"
            + String(day).leftPadded(to: 2) + "T" + String(hour).leftPadded(to: 2) + ":"
            + String(minute).leftPadded(to: 2) + ":" + String(second).leftPadded(to: 2) + "."
            + String(fraction).leftPadded(to: 3) + "Z"
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
