import Testing

@testable import GenesysCollectors
@testable import GenesysHTTP

/// The poll schedule applies a hostile upstream's `Retry-After` only up to its own cap.
@Suite("Poll schedule")
struct PollScheduleTests {
    @Test func test_pollSchedule_neverWaitsPastItsCapForAnyRetryAfter() {
        var schedule = PollSchedule(interval: .seconds(1), failureCap: .seconds(300))
        let delay = schedule.afterFailure(retryAfter: RetryAfter.ceiling)
        #expect(delay == .seconds(300))
    }
}
