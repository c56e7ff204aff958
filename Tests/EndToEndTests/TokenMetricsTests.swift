import GenesysBaseTestSupport
import GenesysSimulator
import GenesysTestSupport
import Testing

@Suite("Token health over a real scrape")
struct TokenMetricsTests {
    /// Virtual time (exporter and simulator share a manual clock), so ages and renewal reasons are exact.
    @Test func test_tokenAgeGrows_andRefreshesRiseOnceTheTTLRunsOut() async throws {
        let clock = ManualClock()
        let simulator = SimulatorConfiguration(tokenTTL: .seconds(2)).judgingTime(by: clock)
        try await withExporter(simulator, clock: clock, settings: { try $0.orgSettings(collectors: ["identity"]) }) {
            sim, exporter in
            /// Moves time on once the identity poll loop and the token renewal loop are both asleep (a third sleeper, a caller
            /// waiting out the gap between token requests, may be there too).
            func step(_ duration: Duration) async throws {
                try await awaitCondition("both loops asleep") { clock.sleeperCount >= 2 }
                clock.advance(by: duration)
            }
            let first = try await exporter.scrape(until: "a token") { $0.value("genesys_token_age_seconds") != nil }
            #expect(first.value("genesys_token_lifetime_seconds") == 2)
            #expect(first.sum("genesys_token_refreshes_total", ["reason": "initial"]) == 1)
            let firstAge = try #require(first.value("genesys_token_age_seconds"))
            let firstExpiry = try #require(first.value("genesys_token_expiry_timestamp_seconds"))

            // Age is computed at scrape time, so it grows between scrapes of the same token.
            try await step(.milliseconds(500))
            let aged = try await exporter.scrape()
            let agedAge = try #require(aged.value("genesys_token_age_seconds"))
            #expect(agedAge >= 0 && agedAge < 2, "age \(firstAge) then \(agedAge)")
            if aged.value("genesys_token_expiry_timestamp_seconds") == firstExpiry {  // still the same token
                #expect(abs(agedAge - firstAge - 0.5) < 0.001, "age \(firstAge) then \(agedAge)")
            }

            // A 2 s token is renewed 20% ahead of expiry: on schedule, never after expiry, never after a 401.
            // Generous real-time deadlines: each step waits for both loops to sleep, which on two loaded cores (the
            // whole suite in parallel) can take seconds.
            try await awaitCondition("a renewed token", timeout: .seconds(120)) {
                try await step(.milliseconds(100))
                return try await exporter.scrape().sum("genesys_token_refreshes_total") >= 2
            }
            let renewed = try await exporter.scrape()
            let reasons = renewed.samples("genesys_token_refreshes_total").map {
                "\($0.labels["reason"] ?? "")=\(Int($0.value))"
            }
            #expect(renewed.sum("genesys_token_refreshes_total", ["reason": "initial"]) == 1, "\(reasons)")
            #expect(renewed.sum("genesys_token_refreshes_total", ["reason": "scheduled"]) == 1, "\(reasons)")
            #expect(renewed.value("genesys_token_expiry_timestamp_seconds").map { $0 > firstExpiry } == true)
            #expect(sim.counters().tokensIssued >= 2)

            // The identity collector keeps polling across renewals.
            try await awaitCondition("a third token", timeout: .seconds(120)) {
                try await step(.milliseconds(100))
                return try await exporter.scrape().sum("genesys_token_refreshes_total") >= 3
            }
            let later = try await exporter.scrape(until: "identity polled after renewal") {
                $0.collectorUp("identity") == 1
            }
            #expect(later.value("genesys_token_expires_in_seconds").map { $0 <= 2 } == true)
            #expect(
                later.value("genesys_token_age_seconds").map { $0 >= 0 && $0 < 2 } == true,
                "the age is the current token's")
            #expect(later.sum("genesys_token_refreshes_total", ["reason": "expired"]) == 0)
            #expect(later.sum("genesys_token_refresh_failures_total") == 0)
            #expect(sim.counters().requestsWithExpiredToken == 0)
        }
    }
}
