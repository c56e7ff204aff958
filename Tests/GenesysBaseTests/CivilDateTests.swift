import CivilDateVectors
import GenesysBase
import Testing

/// The exporter's one civil-date conversion against the vectors the simulator's own copy is tested against too.
@Suite("Civil dates against the shared vectors")
struct CivilDateTests {
    @Test(arguments: civilDateVectors)
    func test_daysFromCivil_isTheVectorsDayCount(_ vector: CivilDateVector) {
        #expect(CivilDate.days(year: vector.year, month: vector.month, day: vector.day) == vector.days)
    }

    @Test(arguments: civilDateVectors)
    func test_civilFromDays_isTheVectorsDate(_ vector: CivilDateVector) {
        let date = CivilDate.date(days: vector.days)
        #expect(date == (vector.year, vector.month, vector.day))
    }

    @Test func test_leapYears_areProlepticGregorian_withYearZeroALeapYear() {
        for year in [-400, -4, 0, 4, 1972, 2000, 2024] {
            #expect(CivilDate.daysIn(month: 2, year: year) == 29, "\(year)")
        }
        for year in [-100, -1, 1, 1900, 2100, 2026] { #expect(CivilDate.daysIn(month: 2, year: year) == 28, "\(year)") }
    }

    @Test(arguments: civilDateVectors.filter { (1970...9999).contains($0.year) })
    func test_utcTimestamp_formatsAndParsesTheVectors(_ vector: CivilDateVector) {
        func pad(_ value: Int, _ width: Int) -> String {
            String(repeating: "0", count: max(0, width - String(value).count)) + String(value)
        }
        let text =
            "\(pad(vector.year, 4))-\(pad(vector.month, 2))-\(pad(vector.day, 2))T\(pad(vector.hour, 2)):"
            + "\(pad(vector.minute, 2)):\(pad(vector.second, 2)).000Z"
        #expect(UTCTimestamp.format(unixMillis: vector.unixSeconds * 1000) == text)
        #expect(UTCTimestamp.parse(text) == vector.unixSeconds * 1000)
    }
}
