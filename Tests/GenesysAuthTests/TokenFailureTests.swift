import Foundation
import GenesysAuthTestSupport
import GenesysBaseTestSupport
import GenesysSimulator
import SimulatorTestSupport
import Testing

@testable import GenesysAuth
@testable import GenesysHTTP

/// Token requests that fail: each is classified, counted, explained, and retried with backoff
/// instead of in a hot loop.
@Suite("Token failures")
struct TokenFailureTests {
    @Test(.timeLimit(.minutes(2)))
    func test_wrongSecret_failsAsInvalidClient_withActionableMessage_andBacksOffUnderContinuousDemand() async throws {
        let clock = ManualClock()
        try await withSimulator { sim in
            let wrongSecret = "wrong-secret-\(UUID().uuidString)"
            let rig = try TokenRig(sim.tokenConfiguration(secret: wrongSecret), clock: clock)
            defer { rig.shutdown() }

            let error = try #require(await #expect(throws: TokenError.self) { try await rig.provider.validToken() })
            #expect(error.reason == .invalidClient)
            #expect(error.message.contains("GENESYS_CLIENT_ID"))
            #expect(error.message.contains("secret"))
            #expect(!error.message.contains(wrongSecret))
            #expect(!error.description.contains(wrongSecret))
            #expect(await rig.provider.lastError == error)
            #expect(
                try rig.scrape().value(
                    "genesys_token_refresh_failures_total",
                    ["grant_type": "client_credentials", "reason": "invalid_client"]) == 1)

            // 30 virtual seconds of demand every 50 ms plus the background renewal: backoff (1 s, doubling)
            // keeps it to a handful, whatever the machine's load.
            let scheduler = Task { await rig.provider.runScheduledRefresh() }
            defer { scheduler.cancel() }
            var calls = 0
            while clock.elapsed < .seconds(30) {
                do throws(TokenError) {
                    _ = try await rig.provider.validToken()
                    Issue.record("a wrong secret produced a token")
                } catch {
                    #expect(error.reason == .invalidClient)
                }
                calls += 1
                clock.advance(by: .milliseconds(50))
            }
            scheduler.cancel()
            await scheduler.value

            let requests = sim.counters().tokenRequests["client_credentials"] ?? 0
            let failures =
                try rig.scrape().value("genesys_token_refresh_failures_total", ["reason": "invalid_client"]) ?? 0
            TokenRig.report("wrong secret, 30 s of demand (\(calls) validToken calls): \(requests) token requests")
            #expect(calls == 600)
            #expect(requests <= 6)
            #expect(requests >= 5)  // it keeps trying: a rotated secret fixed on the server is picked up
            #expect(Int(failures) == requests)
            #expect(try rig.scrape().value("genesys_token_refreshes_total", ["reason": "initial"]) == 0)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func test_secretFixedOnTheServer_isPickedUpAtTheNextAttempt_andBackoffResets() async throws {
        try await withSimulator { sim in
            let providerSecret = "new-secret-\(UUID().uuidString)"
            let rig = try TokenRig(sim.tokenConfiguration(secret: providerSecret, backoffInitial: .milliseconds(100)))
            defer { rig.shutdown() }
            await #expect(throws: TokenError.self) { try await rig.provider.validToken() }

            sim.setClientSecret(providerSecret)
            let recovered = await eventually(timeout: .seconds(3)) { (try? await rig.provider.validToken()) != nil }
            #expect(recovered)
            #expect(await rig.provider.lastError == nil)
            #expect(try rig.scrape().value("genesys_token_refreshes_total", ["reason": "initial"]) == 1)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func test_rateLimited_honoursRetryAfter_withoutTouchingTheServerMeanwhile() async throws {
        let clock = ManualClock()
        try await withSimulator { sim in
            sim.inject(.status(429, retryAfter: 2), path: "/oauth/token", count: 1)
            let rig = try TokenRig(sim.tokenConfiguration(), clock: clock)
            defer { rig.shutdown() }

            let firstAttempt = clock.now
            let first = try #require(await #expect(throws: TokenError.self) { try await rig.provider.validToken() })
            #expect(first.reason == .rateLimited)
            #expect(first.retryAfter == .seconds(2))
            #expect(sim.counters().tokenRequests["client_credentials"] == 1)

            // Within the Retry-After window: the same error, and nothing reaches the server.
            clock.advance(by: .milliseconds(1_990))
            let second = try #require(await #expect(throws: TokenError.self) { try await rig.provider.validToken() })
            #expect(second == first)
            #expect(sim.counters().tokenRequests["client_credentials"] == 1)

            clock.advance(by: .milliseconds(10))
            let token = try await rig.provider.validToken()
            #expect(token.obtainedAt - firstAttempt == .seconds(2))  // obtainedAt is when that request started
            #expect(sim.counters().tokenRequests["client_credentials"] == 2)
            let scrape = try rig.scrape()
            #expect(scrape.value("genesys_token_refresh_failures_total", ["reason": "rate_limited"]) == 1)
            #expect(scrape.value("genesys_token_refreshes_total", ["reason": "initial"]) == 1)
        }
    }

    /// An absurd Retry-After (the value that once crashed the process) waits the backoff cap, no longer.
    @Test(.timeLimit(.minutes(2)))
    func test_absurdRetryAfter_waitsAtMostTheBackoffCap() async throws {
        let clock = ManualClock()
        try await withSimulator { sim in
            sim.inject(.status(429, retryAfter: Int.max), path: "/oauth/token", count: 1)
            var configuration = try sim.tokenConfiguration()
            configuration.backoffCap = .seconds(60)
            let rig = TokenRig(configuration, clock: clock)
            defer { rig.shutdown() }
            let first = try #require(await #expect(throws: TokenError.self) { try await rig.provider.validToken() })
            #expect(first.reason == .rateLimited)
            #expect(first.retryAfter == RetryAfter.ceiling)
            clock.advance(by: .milliseconds(59_900))
            await #expect(throws: TokenError.self) { try await rig.provider.validToken() }
            #expect(sim.counters().tokenRequests["client_credentials"] == 1)
            clock.advance(by: .milliseconds(100))
            _ = try await rig.provider.validToken()
            #expect(sim.counters().tokenRequests["client_credentials"] == 2)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func test_serverError_isClassifiedAsServerError() async throws {
        try await withSimulator { sim in
            sim.inject(.status(503), path: "/oauth/token", count: 1)
            let rig = try TokenRig(sim.tokenConfiguration(backoffInitial: .milliseconds(50)))
            defer { rig.shutdown() }
            let error = try #require(await #expect(throws: TokenError.self) { try await rig.provider.validToken() })
            #expect(error.reason == .serverError)
            #expect(error.message.contains("503"))
            #expect(try rig.scrape().value("genesys_token_refresh_failures_total", ["reason": "server_error"]) == 1)
            #expect(await eventually { (try? await rig.provider.validToken()) != nil })
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func test_connectionReset_isClassifiedAsNetwork() async throws {
        try await withSimulator { sim in
            sim.inject(.connectionReset, path: "/oauth/token", count: 1)
            let rig = try TokenRig(sim.tokenConfiguration(backoffInitial: .milliseconds(50)))
            defer { rig.shutdown() }
            let error = try #require(await #expect(throws: TokenError.self) { try await rig.provider.validToken() })
            #expect(error.reason == .network)
            #expect(try rig.scrape().value("genesys_token_refresh_failures_total", ["reason": "network"]) == 1)
            #expect(await eventually { (try? await rig.provider.validToken()) != nil })
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func test_hungTokenEndpoint_timesOutWithinTheRequestTimeout() async throws {
        try await withSimulator { sim in
            sim.inject(.hang, path: "/oauth/token", count: 1)
            var configuration = try sim.tokenConfiguration(backoffInitial: .milliseconds(50))
            configuration.requestTimeout = .seconds(1)
            let rig = TokenRig(configuration)
            defer { rig.shutdown() }
            let started = ContinuousClock.now
            let error = try #require(await #expect(throws: TokenError.self) { try await rig.provider.validToken() })
            #expect(error.reason == .timeout)
            #expect(ContinuousClock.now - started < .seconds(10))
            configuration.requestTimeout = .seconds(30)
            #expect(try rig.scrape().value("genesys_token_refresh_failures_total", ["reason": "timeout"]) == 1)
            #expect(await eventually { (try? await rig.provider.validToken()) != nil })
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func test_malformedTokenResponse_isCountedAsMalformed_withoutEchoingTheBody() async throws {
        try await withSimulator { sim in
            sim.inject(.malformedBody, path: "/oauth/token", count: 1)
            let rig = try TokenRig(sim.tokenConfiguration(backoffInitial: .milliseconds(50)))
            defer { rig.shutdown() }
            let error = try #require(await #expect(throws: TokenError.self) { try await rig.provider.validToken() })
            #expect(error.reason == .malformedResponse)
            // The simulator's truncated body is `{"access_token":"eyJ0eXAiOiJKV1Qi`: a token fragment must not be quoted.
            #expect(!error.message.contains("eyJ0eXAiOiJKV1Qi"), "\(error.message)")
            #expect(
                try rig.scrape().value("genesys_token_refresh_failures_total", ["reason": "malformed_response"]) == 1)
            #expect(await eventually { (try? await rig.provider.validToken()) != nil })
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func test_failedEarlyRenewal_keepsServingTheStillValidToken_evenToTheCallerThatTriggeredIt() async throws {
        let clock = ManualClock()
        try await withSimulator(SimulatorConfiguration(tokenTTL: .seconds(5)).judgingTime(by: clock)) { sim in
            let rig = try TokenRig(sim.tokenConfiguration(), clock: clock)
            defer { rig.shutdown() }
            let token = try await rig.provider.validToken()
            sim.inject(.status(500), path: "/oauth/token")
            // The renewal is due at ~80% of 5 s; until expiry every caller keeps getting the old token, no error.
            clock.advance(by: .milliseconds(4_100))
            let current = try await rig.provider.validToken()
            #expect(current.value == token.value)
            #expect(sim.counters().tokenRequests["client_credentials"] == 2, "the renewal was attempted")
            #expect(clock.now < token.expiresAt)
            #expect(try await rig.provider.validToken().value == token.value)
            #expect(await rig.provider.lastError?.reason == .serverError)
            #expect(try rig.scrape().value("genesys_token_refresh_failures_total", ["reason": "server_error"]) == 1)
        }
    }
}
