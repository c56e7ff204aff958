import Foundation
import GenesysAuthTestSupport
import GenesysSimulator
import SimulatorTestSupport
import Testing

@testable import GenesysAuth

/// The refresh_token grant: the rotated refresh token survives a restart and serves API requests after it.
@Suite("Token refresh_token grant across a restart")
struct TokenRefreshGrantAPITests {
    private func cachedRefreshToken(_ path: String) -> String? {
        guard case .loaded(let entry) = TokenCache(path: path).load() else { return nil }
        return entry.refreshToken?.exposedValue
    }

    @Test(.timeLimit(.minutes(1)))
    func test_rotatedRefreshToken_isPersisted_soARestartKeepsWorking_whileTheOriginalIsRefused() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cacheFile = directory + "/token.json"
        try await withSimulator { sim in
            let original = sim.issueRefreshToken()
            let rig = try TokenRig(
                sim.tokenConfiguration(grant: .refreshToken, refreshToken: original, cacheFile: cacheFile))
            defer { rig.shutdown() }
            let token = try await rig.provider.validToken()
            #expect(token.grant == .refreshToken)
            #expect(sim.counters().tokenRequests["refresh_token"] == 1)
            let rotated = try #require(cachedRefreshToken(cacheFile))
            #expect(rotated != original)
            #expect(
                try rig.scrape().value(
                    "genesys_token_refreshes_total", ["grant_type": "refresh_token", "reason": "initial"]) == 1)

            // A restart from the cache: the cached access token is used, and a forced renewal redeems the rotated refresh token.
            let restarted = try TokenRig(
                sim.tokenConfiguration(grant: .refreshToken, refreshToken: original, cacheFile: cacheFile))
            defer { restarted.shutdown() }
            let reused = try await restarted.provider.validToken()
            #expect(reused.value == token.value)
            await restarted.provider.invalidate(reused)
            let renewed = try await restarted.provider.validToken()
            #expect(renewed.value != token.value)
            #expect(sim.counters().tokenRequests["refresh_token"] == 2)
            let rotatedAgain = try #require(cachedRefreshToken(cacheFile))
            #expect(rotatedAgain != rotated)
            #expect(try await restarted.apiClient(sim).get(.usersMe).response.status == 200)

            // Without the cache, the original refresh token is spent.
            let fresh = try TokenRig(sim.tokenConfiguration(grant: .refreshToken, refreshToken: original))
            defer { fresh.shutdown() }
            let error = try #require(await #expect(throws: TokenError.self) { try await fresh.provider.validToken() })
            #expect(error.reason == .invalidGrant)
            #expect(
                try fresh.scrape().value(
                    "genesys_token_refresh_failures_total", ["grant_type": "refresh_token", "reason": "invalid_grant"])
                    == 1)
        }
    }
}
