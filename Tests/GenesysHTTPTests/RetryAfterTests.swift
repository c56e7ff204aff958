import Foundation
import Testing

@testable import GenesysHTTP

/// `Retry-After` in both RFC 9110 forms, from a hostile upstream: never negative, never past the ceiling.
@Suite("Retry-After parsing")
struct RetryAfterTests {
    /// 2026-11-27 03:50:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_795_751_400)

    @Test(arguments: [
        ("0", 0.0), ("2", 2), (" 120 ", 120), ("3600", 3600), ("3601", 3600), ("9223372036854775807", 3600),
        ("99999999999999999999999999", 3600),
    ])
    func test_delaySeconds_isReadAndClampedToTheCeiling(_ testCase: (String, Double)) {
        #expect(RetryAfter.parse(testCase.0, now: Self.now)?.seconds == testCase.1)
    }

    @Test(arguments: ["-1", "1e300", "1.5", "+5", "soon", "", "0x10", "5 s", String(repeating: "9", count: 100)])
    func test_malformedValues_areIgnored(_ value: String) {
        #expect(RetryAfter.parse(value, now: Self.now) == nil, "\(value)")
    }

    @Test func test_httpDate_inAllThreeForms_isTheDelayUntilThen() {
        // 90 s after `now`.
        #expect(RetryAfter.parse("Fri, 27 Nov 2026 03:51:30 GMT", now: Self.now) == .seconds(90))
        #expect(RetryAfter.parse("Friday, 27-Nov-26 03:51:30 GMT", now: Self.now) == .seconds(90))
        #expect(RetryAfter.parse("Fri Nov 27 03:51:30 2026", now: Self.now) == .seconds(90))
    }

    @Test func test_httpDate_inThePast_isZero_andFarFuture_isTheCeiling() {
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: Self.now) == .zero)
        #expect(RetryAfter.parse("Fri, 31 Dec 9999 23:59:59 GMT", now: Self.now) == RetryAfter.ceiling)
    }

    @Test(arguments: [
        "Fri, 32 Nov 2026 03:51:30 GMT", "Fri, 27 Foo 2026 03:51:30 GMT", "Fri, 27 Nov 2026 25:51:30 GMT",
        "Fri, 27 Nov 2026 03:51:30 PST", "Fri, 27 Nov 26 03:51:30 GMT", "Fri, 27 Nov 2026 3:51:30 GMT",
    ])
    func test_invalidDates_areIgnored(_ value: String) {
        #expect(RetryAfter.parse(value, now: Self.now) == nil, "\(value)")
    }

    @Test func test_httpDate_matchesFoundationsCalendar() {
        // Cross-check the civil-date arithmetic over a range of days against Foundation.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for dayOffset in stride(from: -30_000, through: 30_000, by: 997) {
            let date = Date(timeIntervalSince1970: Double(dayOffset) * 86_400 + 3_723)
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            guard let year = parts.year, year >= 1900 else { continue }
            let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            let text = "Mon, \(String(format: "%02d", parts.day!)) \(months[parts.month! - 1]) \(year) 01:02:03 GMT"
            #expect(HTTPDate.parse(text) == date.timeIntervalSince1970, "\(text)")
        }
    }
}
