import Testing

@testable import GenesysAuth
@testable import GenesysBase
@testable import GenesysJSON

/// When tokens are renewed and how long failures wait: the backoff and the renewal deadline.
@Suite("Token scheduling")
struct TokenSchedulingTests {
    @Test func test_backoff_eachDelayLiesBetweenHalfAndAllOfItsDoublingStep_upToTheCap() {
        for _ in 0..<200 {
            var backoff = Backoff(initial: .seconds(1), cap: .seconds(10))
            let steps: [Duration] = [
                .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10), .seconds(10),
            ]
            for (index, step) in steps.enumerated() {
                let delay = backoff.nextDelay()
                #expect(delay >= step / 2 && delay <= step, "failure \(index + 1): \(delay)")
                #expect(backoff.failures == index + 1)
            }
        }
    }

    @Test func test_backoff_resetStartsOverFromTheInitialDelay() {
        var backoff = Backoff(initial: .milliseconds(500), cap: .seconds(60))
        for _ in 0..<6 { _ = backoff.nextDelay() }
        backoff.reset()
        #expect(backoff.failures == 0)
        let delay = backoff.nextDelay()
        #expect(delay >= .milliseconds(250) && delay <= .milliseconds(500))
        #expect(backoff.failures == 1)
    }

    @Test func test_backoff_manyFailuresStayAtTheCap_withoutOverflow() {
        var backoff = Backoff(initial: .seconds(300), cap: .seconds(300))
        for _ in 0..<200 {
            let delay = backoff.nextDelay()
            #expect(delay >= .seconds(150) && delay <= .seconds(300))
        }
        var tiny = Backoff(initial: .milliseconds(1), cap: .seconds(300))
        for _ in 0..<100 { _ = tiny.nextDelay() }
        #expect(tiny.nextDelay() <= .seconds(300))
    }

    @Test func test_backoff_isJittered() {
        var delays = Set<Duration>()
        for _ in 0..<20 {
            var backoff = Backoff(initial: .seconds(1), cap: .seconds(300))
            delays.insert(backoff.nextDelay())
        }
        #expect(delays.count > 1)
    }

    @Test func test_backoff_proportionalJitter_staysWithinItsFraction_forPolls() {
        for _ in 0..<200 {
            var backoff = Backoff(initial: .seconds(60), cap: .seconds(300), jitter: .proportional(0.1))
            for step in [Duration.seconds(60), .seconds(120), .seconds(240), .seconds(300), .seconds(300)] {
                let delay = backoff.nextDelay()
                #expect(delay >= step * 0.9 && delay <= step * 1.1, "\(delay) for \(step)")
            }
        }
    }

    /// Retry-After is applied in one place for token requests and polls alike.
    @Test(arguments: [Backoff.Jitter.equal, .proportional(0.1)])
    func test_backoff_honoursRetryAfter_upToTheCapOnly(jitter: Backoff.Jitter) {
        var backoff = Backoff(initial: .seconds(1), cap: .seconds(300), jitter: jitter)
        #expect(backoff.nextDelay(retryAfter: .seconds(120)) == .seconds(120))
        #expect(backoff.nextDelay(retryAfter: .seconds(3600)) == .seconds(300), "never beyond the cap")
        #expect(backoff.nextDelay(retryAfter: .zero) <= .seconds(4.4), "a shorter Retry-After does not cut the backoff")
        #expect(backoff.failures == 3)
    }

    @Test func test_errorAnswer_readsTheAPIsAndTheLoginServicesShapes_andNothingFromGarbage() {
        let api = ErrorAnswer(
            body: Array(#"{"message":"Missing permissions","code":"missing.permissions","status":403}"#.utf8))
        #expect(api.code == "missing.permissions" && api.message == "Missing permissions")
        let login = ErrorAnswer(body: Array(#"{"error":"invalid_client","error_description":"bad secret"}"#.utf8))
        #expect(login.code == "invalid_client" && login.message == "bad secret")
        let older = ErrorAnswer(body: Array(#"{"error":"invalid_grant","description":"expired"}"#.utf8))
        #expect(older.code == "invalid_grant" && older.message == "expired")
        for garbage in ["<html>502</html>", "", "[]", #"{"code":7,"message":null}"#] {
            let answer = ErrorAnswer(body: Array(garbage.utf8))
            #expect(answer.code == nil && answer.message == nil, "\(garbage)")
        }
    }

    static let lifetimes: [Int] = [1, 2, 300, 3600, 86399, 172_800]
    static let margins: [Duration] = [.zero, .seconds(1), .seconds(60), .seconds(300), .seconds(86400)]

    @Test(arguments: lifetimes, margins)
    func test_refreshDeadline_neverComesBefore80PercentOfTheLifetime_norAfterExpiry(
        lifetimeSeconds: Int, margin: Duration
    ) {
        let token = AccessToken(value: Secret("t"), grant: .clientCredentials, lifetime: .seconds(lifetimeSeconds))
        let deadlines = (0..<500).map { _ in TokenProvider.refreshDeadline(for: token, margin: margin) }
        let earliest = deadlines.min()!
        let latest = deadlines.max()!
        #expect(
            earliest - token.obtainedAt >= token.lifetime * 0.8,
            "lifetime \(lifetimeSeconds) s, margin \(margin): renews after \(earliest - token.obtainedAt)")
        #expect(latest <= token.expiresAt)
        // "Renew when less than the margin is left": never with more than the margin still to go.
        #expect(
            token.expiresAt - earliest <= margin,
            "lifetime \(lifetimeSeconds) s, margin \(margin): \(token.expiresAt - earliest) left")
    }

    @Test func test_refreshDeadline_ofADayToken_isAboutTheMarginBeforeExpiry_andSpread() {
        let token = AccessToken(value: Secret("t"), grant: .clientCredentials, lifetime: .seconds(86399))
        var deadlines = Set<ContinuousClock.Instant>()
        for _ in 0..<50 {
            let deadline = TokenProvider.refreshDeadline(for: token, margin: .seconds(300))
            #expect(token.expiresAt - deadline >= .seconds(270))
            deadlines.insert(deadline)
        }
        #expect(deadlines.count > 1)  // jitter spreads many exporters sharing one client
    }
}
