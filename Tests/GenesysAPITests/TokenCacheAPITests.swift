import Foundation
import GenesysAuthTestSupport
import GenesysSimulator
import SimulatorTestSupport
import Testing

@testable import GenesysAuth
@testable import GenesysHTTP

/// The token cache seen from the API: a cached token, or one the cache could not store, serves API requests.
@Suite("Token cache with the API client")
struct TokenCacheAPITests {
    @Test(.timeLimit(.minutes(1)))
    func test_restartedProvider_reusesTheCachedToken_withoutATokenRequest() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cacheFile = directory + "/token.json"
        try await withSimulator { sim in
            let first = try TokenRig(sim.tokenConfiguration(cacheFile: cacheFile))
            defer { first.shutdown() }
            let token = try await first.provider.validToken()
            #expect(
                try first.scrape().value("genesys_token_cache_operations_total", ["op": "load", "result": "miss"]) == 1)
            #expect(
                try first.scrape().value("genesys_token_cache_operations_total", ["op": "save", "result": "ok"]) == 1)

            let second = try TokenRig(sim.tokenConfiguration(cacheFile: cacheFile))
            defer { second.shutdown() }
            let reused = try await second.provider.validToken()
            #expect(reused.value == token.value)
            #expect(sim.counters().tokenRequests["client_credentials"] == 1)
            let scrape = try second.scrape()
            #expect(scrape.value("genesys_token_cache_operations_total", ["op": "load", "result": "ok"]) == 1)
            #expect(scrape.value("genesys_token_refreshes_total", ["reason": "initial"]) == 0)
            #expect(scrape.value("genesys_token_expiry_timestamp_seconds") == token.expiresAtUnix)
            // The cached token really works against the API.
            #expect(try await second.apiClient(sim).get(.tokensMe).response.status == 200)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func test_unwritableCachePath_doesNotStopTheProvider_andIsCountedAndWarnedOnce() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Tests run as root, which ignores permissions: a regular file as the parent makes writing fail for anyone.
        let notADirectory = directory + "/file-not-dir"
        try Data("x".utf8).write(to: URL(fileURLWithPath: notADirectory))
        let capture = LogCapture()
        try await withSimulator { sim in
            let rig = try TokenRig(
                sim.tokenConfiguration(cacheFile: notADirectory + "/token.json"), logger: capture.logger())
            defer { rig.shutdown() }
            let first = try await rig.provider.validToken()
            await rig.provider.invalidate(first)
            _ = try await rig.provider.validToken()
            #expect(try await rig.apiClient(sim).get(.tokensMe).response.status == 200)

            #expect(
                try rig.scrape().value("genesys_token_cache_operations_total", ["op": "save", "result": "error"]) == 2)
            let warnings = capture.all.filter {
                $0.hasPrefix("warning") && $0.contains("cannot write token cache file")
            }
            #expect(warnings.count == 1, "\(capture.all)")
            #expect(warnings.first?.contains(notADirectory) == true)
        }
    }
}
