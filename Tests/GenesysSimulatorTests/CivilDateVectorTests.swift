import CivilDateVectors
import Testing

@testable import GenesysSimulator

/// The simulator keeps its own civil-date code (it is independent of the exporter by design); the same vectors as
/// the exporter's GenesysBase keep the two in agreement.
@Suite("Simulator civil dates against the shared vectors")
struct CivilDateVectorTests {
    @Test(arguments: civilDateVectors)
    func test_daysFromCivil_isTheVectorsDayCount(_ vector: CivilDateVector) {
        #expect(UTCTimestamp.daysFromCivil(year: vector.year, month: vector.month, day: vector.day) == vector.days)
    }

    @Test(arguments: civilDateVectors)
    func test_civilFromDays_isTheVectorsDate(_ vector: CivilDateVector) {
        let date = UTCTimestamp.civilFromDays(vector.days)
        #expect(date == (vector.year, vector.month, vector.day))
    }

    @Test(arguments: civilDateVectors.filter { $0.unixSeconds >= 0 })
    func test_format_isTheVectorsInstant(_ vector: CivilDateVector) {
        let text = UTCTimestamp.format(millis: vector.unixSeconds * 1000)
        #expect(text.hasPrefix(String(vector.year).leftPadded(to: 4) + "-" + String(vector.month).leftPadded(to: 2)))
        if UTCTimestamp.years.contains(vector.year) { #expect(UTCTimestamp.parse(text) == vector.unixSeconds * 1000) }
    }
}
