import Foundation
import GenesysAuthTestSupport
import GenesysSimulator
import SimulatorTestSupport
import Testing

@testable import GenesysAuth

/// The refresh_token grant: a revoked refresh token says what to do, a missing one never reaches the server (the
/// rotation across a restart is in GenesysAPITests: it checks the restarted token against the API).
@Suite("Token refresh_token grant")
struct TokenRefreshGrantTests {
    @Test(.timeLimit(.minutes(1)))
    func test_revokedRefreshToken_failsAsInvalidGrant_tellingTheUserToReauthorize() async throws {
        try await withSimulator { sim in
            let rig = try TokenRig(sim.tokenConfiguration(grant: .refreshToken, refreshToken: sim.issueRefreshToken()))
            defer { rig.shutdown() }
            let token = try await rig.provider.validToken()
            sim.revokeRefreshTokens()
            await rig.provider.invalidate(token)
            let error = try #require(await #expect(throws: TokenError.self) { try await rig.provider.validToken() })
            #expect(error.reason == .invalidGrant)
            #expect(error.message.contains("re-authorize"))
            #expect(error.message.contains("GENESYS_REFRESH_TOKEN"))
            #expect(try rig.scrape().value("genesys_token_refresh_failures_total", ["reason": "invalid_grant"]) == 1)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func test_missingRefreshToken_failsWithoutAskingTheServer() async throws {
        try await withSimulator { sim in
            let rig = try TokenRig(sim.tokenConfiguration(grant: .refreshToken))
            defer { rig.shutdown() }
            let error = try #require(await #expect(throws: TokenError.self) { try await rig.provider.validToken() })
            #expect(error.reason == .invalidGrant)
            #expect(error.message.contains("GENESYS_REFRESH_TOKEN"))
            #expect(sim.counters().tokenRequests.values.reduce(0, +) == 0)
        }
    }
}
