/// The TZ string in a TZif footer (POSIX, with RFC 8536's extensions): standard time, and optionally daylight
/// time with the rule for when it starts and ends each year, e.g. `CET-1CEST,M3.5.0,M10.5.0/3`.
struct POSIXTimeZoneRule: Sendable {
    /// When in the year a change happens: day and local time of day in seconds (RFC 8536 allows -167 to 167 h).
    enum Day: Sendable {
        /// `Jn`: 1...365, February 29 never counted.
        case julianSkippingLeap(Int)
        /// `n`: 0...365, February 29 counted.
        case zeroBased(Int)
        /// `Mm.w.d`: month 1...12, week 1...5 (5: the last), weekday 0 (Sunday) ... 6.
        case monthWeekDay(month: Int, week: Int, weekday: Int)
    }

    struct Change: Sendable {
        let day: Day
        let secondsIntoDay: Int64
    }

    /// Seconds east of UTC (POSIX writes them west, so `CET-1` is +3600).
    let standardOffset: Int32
    let daylight: (offset: Int32, start: Change, end: Change)?

    func offset(at unixSeconds: Int64) -> Int32 {
        guard let daylight else { return standardOffset }
        let clamped = min(max(unixSeconds, 0), 253_402_300_799)
        let year = CivilDate.date(days: Int((clamped + Int64(standardOffset)) / 86_400)).year
        // Starts are in local standard time, ends in local daylight time.
        let start = instant(daylight.start, year: year) - Int64(standardOffset)
        let end = instant(daylight.end, year: year) - Int64(daylight.offset)
        let inDaylight = start < end ? (start <= clamped && clamped < end) : !(end <= clamped && clamped < start)
        return inDaylight ? daylight.offset : standardOffset
    }

    /// The change's local wall time in `year`, as seconds since the epoch as if it were UTC.
    private func instant(_ change: Change, year: Int) -> Int64 {
        let yearStart = Int64(CivilDate.days(year: year, month: 1, day: 1))
        let isLeap = CivilDate.daysIn(month: 2, year: year) == 29
        let dayOfYear: Int64
        switch change.day {
        case .julianSkippingLeap(let day): dayOfYear = Int64(day - 1 + (isLeap && day >= 60 ? 1 : 0))
        case .zeroBased(let day): dayOfYear = Int64(day)
        case .monthWeekDay(let month, let week, let weekday):
            let monthStart = Int64(CivilDate.days(year: year, month: month, day: 1))
            // 1970-01-01 was a Thursday (4).
            let firstWeekday = Int((monthStart + 4) % 7 + 7) % 7
            var day = 1 + (weekday - firstWeekday + 7) % 7 + (week - 1) * 7
            while day > CivilDate.daysIn(month: month, year: year) { day -= 7 }
            dayOfYear = monthStart - yearStart + Int64(day - 1)
        }
        return (yearStart + dayOfYear) * 86_400 + change.secondsIntoDay
    }

    /// Nil for anything but a well-formed TZ string with every number in range.
    static func parse(_ bytes: [UInt8]) -> POSIXTimeZoneRule? {
        var scanner = Scanner(bytes: bytes)
        guard scanner.name(), let standard = scanner.offset(maxHours: 24) else { return nil }
        if scanner.atEnd { return POSIXTimeZoneRule(standardOffset: -standard, daylight: nil) }
        guard scanner.name() else { return nil }
        var daylightWest = standard - 3_600
        if !scanner.peek(",") {
            guard let offset = scanner.offset(maxHours: 24) else { return nil }
            daylightWest = offset
        }
        // TZif footers always give the rule when there is daylight time.
        guard scanner.take(","), let start = scanner.change(), scanner.take(","), let end = scanner.change(),
            scanner.atEnd
        else { return nil }
        return POSIXTimeZoneRule(
            standardOffset: -standard, daylight: (offset: -daylightWest, start: start, end: end))
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index == bytes.count }

        func peek(_ character: Unicode.Scalar) -> Bool { !atEnd && bytes[index] == UInt8(ascii: character) }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard peek(character) else { return false }
            index += 1
            return true
        }

        /// Three or more letters, or `<...>` of letters, digits, `+` and `-`.
        mutating func name() -> Bool {
            let start = index
            if take("<") {
                while !atEnd, bytes[index] != UInt8(ascii: ">") {
                    let byte = bytes[index]
                    guard isLetter(byte) || isDigit(byte) || byte == 0x2B || byte == 0x2D else { return false }
                    index += 1
                }
                return take(">") && index - start >= 5
            }
            while !atEnd, isLetter(bytes[index]) { index += 1 }
            return index - start >= 3
        }

        /// `[+-]hh[:mm[:ss]]` in seconds, hours at most `maxHours`.
        mutating func offset(maxHours: Int64) -> Int32? {
            let negative = take("-")
            if !negative { _ = take("+") }
            guard let hours = number(maxDigits: 3), hours <= maxHours else { return nil }
            var seconds = hours * 3_600
            if take(":") {
                guard let minutes = number(maxDigits: 2), minutes < 60 else { return nil }
                seconds += minutes * 60
                if take(":") {
                    guard let extra = number(maxDigits: 2), extra < 60 else { return nil }
                    seconds += extra
                }
            }
            return Int32(negative ? -seconds : seconds)
        }

        mutating func change() -> Change? {
            let day: Day
            if take("J") {
                guard let value = number(maxDigits: 3), (1...365).contains(value) else { return nil }
                day = .julianSkippingLeap(Int(value))
            } else if take("M") {
                guard let month = number(maxDigits: 2), (1...12).contains(month), take("."),
                    let week = number(maxDigits: 1), (1...5).contains(week), take("."),
                    let weekday = number(maxDigits: 1), (0...6).contains(weekday)
                else { return nil }
                day = .monthWeekDay(month: Int(month), week: Int(week), weekday: Int(weekday))
            } else {
                guard let value = number(maxDigits: 3), (0...365).contains(value) else { return nil }
                day = .zeroBased(Int(value))
            }
            var time: Int64 = 7_200
            if take("/") {
                guard let value = offset(maxHours: 167) else { return nil }
                time = Int64(value)
            }
            return Change(day: day, secondsIntoDay: time)
        }

        private mutating func number(maxDigits: Int) -> Int64? {
            var value: Int64 = 0
            var digits = 0
            while !atEnd, isDigit(bytes[index]), digits < maxDigits {
                value = value * 10 + Int64(bytes[index] - 0x30)
                index += 1
                digits += 1
            }
            return digits == 0 ? nil : value
        }

        private func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
        private func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
    }
}
