import Foundation
import GenesysExporter
import GenesysSimulator
import GenesysTestSupport
import Testing

/// Token responses whose `expires_in` is not a lifetime Genesys issues (300 s to 48 h). Issue 8 allows two
/// answers: refuse it as `malformed_response`, or clamp it into range (with a warning). Either way no token
/// is used for an absurd time, nothing loops, and the next good response gives a working token.
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
        LifetimeRow(name: "a string", rawJSON: #""86399""#),
        LifetimeRow(name: "null", rawJSON: "null"),
    ])
    func test_unusableExpiresIn_isCountedMalformed_andTheNextTokenIsUsed(_ row: LifetimeRow) async throws {
        try await withFaultRowExporter(settings: { sim in
            sim.inject(.tokenExpiresIn(rawJSON: row.rawJSON), path: "/oauth/token", count: 1)
            return try FaultMatrix.settings(sim)
        }) { sim, exporter in
            let scrape = try await exporter.awaitScrape("a malformed token response counted, then a token and every collector up") {
                $0.tokenFailures("malformed_response") >= 1 && $0.tokensObtained >= 1 && $0.allCollectorsUp()
            }
            #expect(scrape.tokenFailures() == 1, "only the bad response failed: [\(scrape.tokenFailureSummary)]")
            #expect(scrape.value("genesys_token_lifetime_seconds") == 86_399)
            #expect(sim.tokenRequestCount == 2)
        }
    }

    /// A lifetime beyond 48 h is refused or clamped to 48 h: never believed.
    static func expectLifetimeRefusedOrClamped(_ raw: String) async throws {
        try await withFaultRowExporter(settings: { sim in
            sim.inject(.tokenExpiresIn(rawJSON: raw), path: "/oauth/token", count: 1)
            return try FaultMatrix.settings(sim)
        }) { sim, exporter in
            let scrape = try await exporter.awaitScrape("a token and every collector up") { $0.tokensObtained >= 1 && $0.allCollectorsUp() }
            let lifetime = try #require(scrape.value("genesys_token_lifetime_seconds"))
            #expect((shortestLifetime...longestLifetime).contains(lifetime), "expires_in \(raw) believed: lifetime \(lifetime) s")
            #expect(scrape.tokenFailures() == scrape.tokenFailures("malformed_response"), "refused, if at all, as malformed: [\(scrape.tokenFailureSummary)]")
            #expect(sim.tokenRequestCount <= 2)
        }
    }

    @Test func test_hugeExpiresIn_1e12_isRefusedOrClampedTo48Hours() async throws {
        try await Self.expectLifetimeRefusedOrClamped("1e12")
    }

    @Test func test_expiresInOf30Days_isRefusedOrClampedTo48Hours() async throws {
        try await Self.expectLifetimeRefusedOrClamped("2592000")
    }
}
