import GenesysExporter
import GenesysSimulator
import GenesysTestSupport
import Testing

@Suite("Token health over a real scrape")
struct TokenMetricsTests {
    @Test func test_tokenAgeGrows_andRefreshesRiseOnceTheTTLRunsOut() async throws {
        try await withExporter(SimulatorConfiguration(tokenTTL: .seconds(2)),
                               settings: { try $0.orgSettings(collectors: ["identity"]) }) { sim, exporter in
            let first = try await exporter.scrape(until: "a token") { $0.value("genesys_token_age_seconds") != nil }
            #expect(first.value("genesys_token_lifetime_seconds") == 2)
            #expect(first.sum("genesys_token_refreshes_total", ["reason": "initial"]) == 1)
            let firstAge = try #require(first.value("genesys_token_age_seconds"))
            let firstExpiry = try #require(first.value("genesys_token_expiry_timestamp_seconds"))

            // Age is computed at scrape time, so it grows between scrapes of the same token.
            _ = try await exporter.scrape(until: "the token age growing") { ($0.value("genesys_token_age_seconds") ?? 0) > firstAge + 0.1 }

            // A 2 s token is renewed 20% ahead of expiry, so a later token replaces it. On a loaded machine the renewal
            // can wake after expiry and count as "expired" rather than "scheduled"; either way it is not a 401.
            let renewed = try await exporter.scrape(until: "a renewed token") { $0.sum("genesys_token_refreshes_total") >= 2 }
            let reasons = renewed.samples("genesys_token_refreshes_total").map { "\($0.labels["reason"] ?? "")=\(Int($0.value))" }
            #expect(renewed.sum("genesys_token_refreshes_total", ["reason": "initial"]) == 1, "\(reasons)")
            #expect(renewed.sum("genesys_token_refreshes_total", ["reason": "scheduled"])
                    + renewed.sum("genesys_token_refreshes_total", ["reason": "expired"]) >= 1, "\(reasons)")
            #expect(renewed.value("genesys_token_expiry_timestamp_seconds").map { $0 > firstExpiry } == true)
            #expect(sim.counters().tokensIssued >= 2)

            // The identity collector keeps polling across renewals.
            let later = try await exporter.scrape(until: "identity polled after renewal") {
                $0.collectorUp("identity") == 1 && $0.sum("genesys_token_refreshes_total") >= 3
            }
            #expect(later.value("genesys_token_expires_in_seconds").map { $0 <= 2 } == true)
            #expect(later.value("genesys_token_age_seconds").map { $0 >= 0 && $0 < 4 } == true, "the age is the current token's")
            #expect(later.sum("genesys_token_refresh_failures_total") == 0)
        }
    }
}
