/// Proleptic Gregorian dates and times (astronomical years: year 0 is 1 BC and a leap year) with their Unix
/// seconds, computed independently (Python's datetime, shifted by whole 400-year cycles of 146,097 days for the
/// years before 1). Both the exporter's `CivilDate` (GenesysBase) and the simulator's own `UTCTimestamp` are tested
/// against them, so the two implementations cannot drift apart.
package struct CivilDateVector: Sendable, CustomStringConvertible {
    package let year: Int
    package let month: Int
    package let day: Int
    package let hour: Int
    package let minute: Int
    package let second: Int
    package let unixSeconds: Int64

    init(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int, unixSeconds: Int64) {
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second) = (hour, minute, second)
        self.unixSeconds = unixSeconds
    }

    /// Days since 1970-01-01.
    package var days: Int { Int((unixSeconds - Int64(secondOfDay)) / 86_400) }

    /// Seconds into the day.
    package var secondOfDay: Int { hour * 3600 + minute * 60 + second }

    package var description: String { "\(year)-\(month)-\(day) \(hour):\(minute):\(second) = \(unixSeconds)" }
}

/// Negative years, year 0, leap days (and the century years that are not), 1970, the 32-bit rollover, 9999.
package let civilDateVectors: [CivilDateVector] = [
    CivilDateVector(-400, 2, 29, 0, 0, 0, unixSeconds: -74_784_902_400),
    CivilDateVector(-101, 3, 1, 0, 0, 0, unixSeconds: -65_349_331_200),
    CivilDateVector(-100, 2, 28, 23, 59, 59, unixSeconds: -65_317_795_201),
    CivilDateVector(-100, 3, 1, 0, 0, 0, unixSeconds: -65_317_795_200),
    CivilDateVector(-4, 2, 29, 6, 0, 0, unixSeconds: -62_288_330_400),
    CivilDateVector(-1, 1, 1, 0, 0, 0, unixSeconds: -62_198_755_200),
    CivilDateVector(-1, 12, 31, 23, 59, 59, unixSeconds: -62_167_219_201),
    CivilDateVector(0, 1, 1, 0, 0, 0, unixSeconds: -62_167_219_200),
    CivilDateVector(0, 2, 29, 0, 0, 0, unixSeconds: -62_162_121_600),
    CivilDateVector(0, 3, 1, 0, 0, 0, unixSeconds: -62_162_035_200),
    CivilDateVector(1, 1, 1, 0, 0, 0, unixSeconds: -62_135_596_800),
    CivilDateVector(1582, 10, 15, 0, 0, 0, unixSeconds: -12_219_292_800),
    CivilDateVector(1900, 2, 28, 0, 0, 0, unixSeconds: -2_203_977_600),
    CivilDateVector(1900, 3, 1, 0, 0, 0, unixSeconds: -2_203_891_200),
    CivilDateVector(1969, 12, 31, 23, 59, 59, unixSeconds: -1),
    CivilDateVector(1970, 1, 1, 0, 0, 0, unixSeconds: 0),
    CivilDateVector(1970, 1, 2, 0, 0, 1, unixSeconds: 86_401),
    CivilDateVector(1972, 2, 29, 0, 0, 0, unixSeconds: 68_169_600),
    CivilDateVector(2000, 2, 29, 0, 0, 0, unixSeconds: 951_782_400),
    CivilDateVector(2000, 3, 1, 0, 0, 0, unixSeconds: 951_868_800),
    CivilDateVector(2024, 2, 29, 12, 34, 56, unixSeconds: 1_709_210_096),
    CivilDateVector(2026, 11, 27, 10, 0, 0, unixSeconds: 1_795_773_600),
    CivilDateVector(2038, 1, 19, 3, 14, 7, unixSeconds: 2_147_483_647),
    CivilDateVector(2038, 1, 19, 3, 14, 8, unixSeconds: 2_147_483_648),
    CivilDateVector(2100, 2, 28, 23, 59, 59, unixSeconds: 4_107_542_399),
    CivilDateVector(2100, 3, 1, 0, 0, 0, unixSeconds: 4_107_542_400),
    CivilDateVector(9999, 12, 31, 23, 59, 59, unixSeconds: 253_402_300_799),
]
