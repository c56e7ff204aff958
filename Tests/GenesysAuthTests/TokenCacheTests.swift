import Foundation
import GenesysAuthTestSupport
import GenesysSimulator
import SimulatorTestSupport
import Testing

@testable import GenesysAuth
@testable import GenesysHTTP

/// The token cache file: reused across restarts, private to the owner, ignored when it does not fit.
@Suite("Token cache")
struct TokenCacheTests {
    @Test(.timeLimit(.minutes(1)))
    func test_cacheFile_isPrivateToItsOwner_andHoldsNoClientSecret() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cacheFile = directory + "/token.json"
        try await withSimulator { sim in
            let rig = try TokenRig(sim.tokenConfiguration(cacheFile: cacheFile))
            defer { rig.shutdown() }
            _ = try await rig.provider.validToken()
            var info = stat()
            #expect(stat(cacheFile, &info) == 0)
            #expect(info.st_mode & 0o777 == 0o600)
            let contents = try String(contentsOfFile: cacheFile, encoding: .utf8)
            #expect(!contents.contains(sim.configuration.clientSecret))
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(leftovers == ["token.json"])  // no temp files left behind
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func test_corruptCacheFile_isIgnoredAndCounted_andReplacedByAGoodOne() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cacheFile = directory + "/token.json"
        try Data(#"{"version":1,"fingerprint":"#.utf8).write(to: URL(fileURLWithPath: cacheFile))
        #expect(chmod(cacheFile, 0o600) == 0)  // private, so it is refused for being corrupt, not for its mode
        try await withSimulator { sim in
            let rig = try TokenRig(sim.tokenConfiguration(cacheFile: cacheFile))
            defer { rig.shutdown() }
            #expect(
                try rig.scrape().value("genesys_token_cache_operations_total", ["op": "load", "result": "error"]) == 1)
            _ = try await rig.provider.validToken()
            #expect(sim.counters().tokenRequests["client_credentials"] == 1)
            guard case .loaded = TokenCache(path: cacheFile).load() else {
                Issue.record("the corrupt cache was not replaced")
                return
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func test_cacheOfAnotherClient_isStaleAndNotUsed() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cacheFile = directory + "/token.json"
        try await withSimulator { sim in
            let configuration = try sim.tokenConfiguration(cacheFile: cacheFile)
            // A live token, but filed under another client id on the same login host.
            let http = HTTPClient()
            defer { http.shutdown() }
            let endpoint = TokenEndpoint(
                tokenURL: configuration.hosts.tokenURL, clientID: configuration.clientID,
                clientSecret: configuration.clientSecret, http: http)
            let foreign = try await endpoint.requestToken(grant: .clientCredentials, refreshToken: nil).accessToken
            let entry = CachedToken(
                fingerprint: TokenCache.fingerprint(
                    clientID: "another-client", loginBaseURL: configuration.hosts.loginBaseURL),
                grant: .clientCredentials, accessToken: foreign.value, obtainedAtUnix: foreign.obtainedAtUnix,
                lifetimeSeconds: Int(foreign.lifetime.seconds), refreshToken: nil)
            #expect(TokenCache(path: cacheFile).save(entry) == nil)

            let rig = TokenRig(configuration)
            defer { rig.shutdown() }
            #expect(
                try rig.scrape().value("genesys_token_cache_operations_total", ["op": "load", "result": "stale"]) == 1)
            let token = try await rig.provider.validToken()
            #expect(token.value != foreign.value)
            #expect(sim.counters().tokenRequests["client_credentials"] == 2)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func test_expiredCachedToken_isStale_andANewOneIsRequested() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cacheFile = directory + "/token.json"
        try await withSimulator { sim in
            let configuration = try sim.tokenConfiguration(cacheFile: cacheFile)
            let entry = CachedToken(
                fingerprint: TokenCache.fingerprint(
                    clientID: configuration.clientID, loginBaseURL: configuration.hosts.loginBaseURL),
                grant: .clientCredentials, accessToken: Secret("expired-token"),
                obtainedAtUnix: Date().timeIntervalSince1970 - 90_000, lifetimeSeconds: 86399, refreshToken: nil)
            #expect(TokenCache(path: cacheFile).save(entry) == nil)
            let rig = TokenRig(configuration)
            defer { rig.shutdown() }
            #expect(
                try rig.scrape().value("genesys_token_cache_operations_total", ["op": "load", "result": "stale"]) == 1)
            #expect(try await rig.provider.validToken().value.exposedValue != "expired-token")
            #expect(sim.counters().tokenRequests["client_credentials"] == 1)
        }
    }

    @Test func test_cacheEntry_roundTripsThroughTheFile_includingCharactersJSONEscapes() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = TokenCache(path: directory + "/token.json")
        let entry = CachedToken(
            fingerprint: "abc", grant: .refreshToken, accessToken: Secret(#"a"b\c/+=~"#),
            obtainedAtUnix: 1_700_000_000.25, lifetimeSeconds: 86399, refreshToken: Secret("r/t+="))
        #expect(cache.save(entry) == nil)
        guard case .loaded(let loaded) = cache.load() else {
            Issue.record("the saved cache did not load")
            return
        }
        #expect(loaded == entry)
        #expect({ if case .miss = TokenCache(path: directory + "/absent.json").load() { true } else { false } }())
    }
}
