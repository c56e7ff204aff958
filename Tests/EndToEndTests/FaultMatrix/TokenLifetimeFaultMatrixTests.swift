import Foundation
import GenesysSimulator
import GenesysTestSupport
import Testing

/// Token responses whose `expires_in` is not a lifetime Genesys issues (300 s to 48 h): no lifetime at all is
/// refused as `malformed_response`, more than 48 h is lowered to 48 h, a tiny one never makes token requests
/// follow each other back to back. Nothing loops, and the collectors keep (or get back) a working token.
@Suite("Fault matrix: token lifetimes", .timeLimit(.minutes(2)))
struct TokenLifetimeFaultMatrixTests {
    static let longestLifetime = 172_800.0
    static let shortestLifetime = 300.0

    struct LifetimeRow: Sendable, CustomTestStringConvertible {
        let name: String
        let rawJSON: String
        var testDescription: String { "expires_in \(rawJSON) (\(name))" }
    }

    /// No lifetime at all: refused, and the next token (the simulator's 24 h default) is used.
    @Test(arguments: [
        LifetimeRow(name: "zero", rawJSON: "0"),
        LifetimeRow(name: "negative", rawJSON: "-60"),
        LifetimeRow(name: "fractional", rawJSON: "86399.5"),
        LifetimeRow(name: "a string", rawJSON: #""86399""#),
        LifetimeRow(name: "null", rawJSON: "null"),
    ])
    func test_unusableExpiresIn_isCountedMalformed_andTheNextTokenIsUsed(_ row: LifetimeRow) async throws {
        try await withFaultRowExporter(settings: { sim in
            sim.inject(.tokenExpiresIn(rawJSON: row.rawJSON), path: "/oauth/token", count: 1)
            return try FaultMatrix.settings(sim)
        }) { sim, exporter in
            let scrape = try await exporter.awaitScrape(
                "a malformed token response counted, then a token and every collector up"
            ) {
                $0.tokenFailures("malformed_response") >= 1 && $0.tokensObtained >= 1 && $0.allCollectorsUp()
            }
            #expect(scrape.tokenFailures() == 1, "only the bad response failed: [\(scrape.tokenFailureSummary)]")
            #expect(scrape.value("genesys_token_lifetime_seconds") == 86_399)
            #expect(sim.tokenRequestCount == 2)
        }
    }

    /// A lifetime beyond 48 h is lowered to 48 h: the token is used, never for longer than Genesys allows.
    static func expectLifetimeClampedTo48Hours(_ raw: String) async throws {
        try await withFaultRowExporter(settings: { sim in
            sim.inject(.tokenExpiresIn(rawJSON: raw), path: "/oauth/token", count: 1)
            return try FaultMatrix.settings(sim)
        }) { sim, exporter in
            let scrape = try await exporter.awaitScrape("a token and every collector up") {
                $0.tokensObtained >= 1 && $0.allCollectorsUp()
            }
            #expect(
                scrape.value("genesys_token_lifetime_seconds") == longestLifetime, "expires_in \(raw) lowered to 48 h")
            #expect(scrape.tokenFailures() == 0, "[\(scrape.tokenFailureSummary)]")
            #expect(sim.tokenRequestCount == 1)
        }
    }

    @Test func test_hugeExpiresIn_1e12_isClampedTo48Hours() async throws {
        try await Self.expectLifetimeClampedTo48Hours("1e12")
    }

    @Test func test_expiresInOf30Days_isClampedTo48Hours() async throws {
        try await Self.expectLifetimeClampedTo48Hours("2592000")
    }

    /// Every token the login service hands out claims to last 1 s (the simulator honours it for its real TTL):
    /// renewals come due at once, but token requests stay the minimum gap (1 s) apart and the collectors keep
    /// working.
    @Test func test_tinyExpiresIn_neverMakesTokenRequestsBackToBack() async throws {
        try await withFaultRowExporter(settings: { sim in
            sim.inject(.tokenExpiresIn(rawJSON: "1"), path: "/oauth/token")
            return try FaultMatrix.settings(sim)
        }) { sim, exporter in
            try await awaitCondition("four token requests", timeout: FaultMatrix.deadline) {
                sim.tokenRequestCount >= 4
            }
            let arrivals = sim.requestLog().filter { $0.path == "/oauth/token" }.map(\.receivedAt)
            // The gap is kept between request starts on the exporter's side; arrivals here can be a little closer
            // when one request is slow to arrive, so: each gap far from back to back, and about 1 s on average.
            for (earlier, later) in zip(arrivals, arrivals.dropFirst()) {
                #expect(later - earlier >= .milliseconds(500), "token requests \(later - earlier) apart")
            }
            if let first = arrivals.first, let last = arrivals.last, arrivals.count > 1 {
                #expect(
                    (last - first) / (arrivals.count - 1) >= .milliseconds(750),
                    "token requests \(arrivals.count) in \(last - first)")
            }
            let injected = Date()
            _ = try await exporter.awaitSuccess(after: injected)
            sim.clearFaults()
        }
    }
}
