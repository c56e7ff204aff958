import Foundation
import GenesysAuthTestSupport
import GenesysBaseTestSupport
import GenesysSimulator
import Logging
import NIOConcurrencyHelpers
import Prometheus
import SimulatorTestSupport
import Testing

@testable import GenesysHTTP

/// The token's life against the simulator: scheduled renewal, renewal after a revocation, and
/// one shared token request for many concurrent callers.
@Suite("Token lifecycle")
struct TokenLifecycleTests {
    /// 20 s of virtual time at a 2 s TTL, the simulator judging expiry by the same clock: no scheduling
    /// delay of a loaded machine can stand in for a late renewal, so the assertions are exact.
    @Test(.timeLimit(.minutes(2)))
    func test_shortLivedTokens_areRenewedOnSchedule_soNoRequestEverCarriesAnExpiredToken() async throws {
        let clock = ManualClock()
        try await withSimulator(SimulatorConfiguration(tokenTTL: .seconds(2)).judgingTime(by: clock)) { sim in
            let rig = try TokenRig(sim.tokenConfiguration(), clock: clock)
            defer { rig.shutdown() }
            let api = rig.apiClient(sim)
            let scheduler = Task { await rig.provider.runScheduledRefresh() }
            defer { scheduler.cancel() }

            var calls = 0
            while clock.elapsed < .seconds(20) {
                let result = try await api.get(.tokensMe)
                #expect(result.response.status == 200)
                calls += 1
                clock.advance(by: .milliseconds(50))
            }

            let counters = sim.counters()
            let scrape = try rig.scrape()
            let scheduled =
                scrape.value(
                    "genesys_token_refreshes_total", ["grant_type": "client_credentials", "reason": "scheduled"]) ?? 0
            TokenRig.report(
                "20 virtual s at TTL 2 s: \(calls) API calls, \(Int(scheduled)) scheduled renewals, "
                    + "\(counters.tokenRequests["client_credentials"] ?? 0) token requests")
            #expect(calls == 400)
            #expect(counters.requestsWithExpiredToken == 0)
            #expect(counters.apiRequests(path: "/api/v2/tokens/me", status: 401) == 0)
            #expect(counters.apiRequests(path: "/api/v2/tokens/me", status: 200) == calls)
            // Renewal once 20% (0.4 s) is left: about every 1.6 s, so 11 to 13 in 20 s.
            #expect((10...13).contains(Int(scheduled)), "\(scheduled)")
            #expect(scrape.value("genesys_token_refreshes_total", ["reason": "expired"]) == 0)
            #expect(scrape.value("genesys_token_refreshes_total", ["reason": "unauthorized"]) == 0)
            #expect(scrape.value("genesys_token_refreshes_total", ["reason": "initial"]) == 1)
            #expect(rig.metricSum("genesys_token_refresh_failures_total", scrape) == 0)
        }
    }

    /// A server announcing a 1 s lifetime cannot turn renewal into back-to-back token requests: they
    /// are at least `minimumRequestGap` apart, while callers keep the token that still works.
    @Test(.timeLimit(.minutes(2)))
    func test_tinyLifetime_neverCausesBackToBackTokenRequests() async throws {
        let clock = ManualClock()
        try await withSimulator(SimulatorConfiguration(tokenTTL: .seconds(1)).judgingTime(by: clock)) { sim in
            var configuration = try sim.tokenConfiguration()
            configuration.minimumRequestGap = .seconds(5)
            let rig = TokenRig(configuration, clock: clock)
            defer { rig.shutdown() }
            _ = try await rig.provider.validToken()
            // Demand every 100 ms of virtual time. A caller may wait for the gap on the virtual clock, so
            // callers run as tasks and the test keeps time moving.
            var callers: [Task<Void, Never>] = []
            for _ in 0..<200 {
                clock.advance(by: .milliseconds(100))
                callers.append(Task { _ = try? await rig.provider.validToken() })
                try await Task.sleep(for: .milliseconds(5))
            }
            let requests = sim.counters().tokenRequests["client_credentials"] ?? 0
            clock.advance(by: .seconds(10))  // lets the callers still waiting for the gap finish
            for caller in callers { await caller.value }
            let finally = sim.counters().tokenRequests["client_credentials"] ?? 0
            TokenRig.report(
                "1 s lifetime, 5 s minimum gap: \(requests) token requests in 20 virtual s of demand, \(finally) after 10 more"
            )
            #expect(requests <= 5, "at most one request per 5 s of virtual time")
            #expect(finally >= 2 && finally <= 6, "renewal still happens, still spaced")
        }
    }

    /// Virtual time: the renewal loop sleeps on the manual clock, so a loaded machine cannot make it late.
    @Test(.timeLimit(.minutes(2)))
    func test_scheduledRefresh_renewsWithoutAnyDemand() async throws {
        let clock = ManualClock()
        try await withSimulator(SimulatorConfiguration(tokenTTL: .seconds(60)).judgingTime(by: clock)) { sim in
            let rig = try TokenRig(sim.tokenConfiguration(), clock: clock)
            defer { rig.shutdown() }
            let scheduler = Task { await rig.provider.runScheduledRefresh() }
            defer { scheduler.cancel() }
            let provider = rig.provider
            let gotFirst = await eventually { await provider.currentToken != nil }
            #expect(gotFirst)
            let first = try #require(await provider.currentToken)
            func issued() -> Int { sim.counters().tokenRequests["client_credentials"] ?? 0 }
            // Nobody asks for a token: each time the loop is asleep, a lifetime of virtual time passes.
            for renewal in 1...2 {
                #expect(await eventually { clock.sleeperCount == 1 }, "the loop sleeps before renewal \(renewal)")
                clock.advance(by: .seconds(60))
                #expect(await eventually { issued() >= 1 + renewal }, "renewal \(renewal) requested")
            }
            #expect(await eventually { await provider.currentToken?.value != first.value })
            let latest = try #require(await provider.currentToken)
            #expect(latest.obtainedAt > first.obtainedAt)
            #expect(issued() == 3, "one request per renewal, none from demand")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func test_scheduledRefresh_returnsPromptlyWhenCancelled() async throws {
        try await withSimulator { sim in
            let rig = try TokenRig(sim.tokenConfiguration())
            defer { rig.shutdown() }
            let scheduler = Task { await rig.provider.runScheduledRefresh() }
            #expect(await eventually { await rig.provider.currentToken != nil })
            // Now it sleeps until the renewal deadline, a day away.
            let cancelledAt = ContinuousClock.now
            scheduler.cancel()
            await scheduler.value
            #expect(
                ContinuousClock.now - cancelledAt < .seconds(5),
                "not the day-long sleep (a loaded machine may take a moment)")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func test_revokedToken_isRefreshedOnceAndRequestRetried() async throws {
        try await withSimulator { sim in
            let rig = try TokenRig(sim.tokenConfiguration())
            defer { rig.shutdown() }
            let api = rig.apiClient(sim)
            _ = try await api.get(.tokensMe)
            let first = try #require(await rig.provider.currentToken)

            sim.revokeAllTokens()
            let result = try await api.get(.tokensMe)

            #expect(result.response.status == 200)
            let renewed = try #require(await rig.provider.currentToken)
            #expect(renewed.value != first.value)
            let counters = sim.counters()
            #expect(counters.apiRequests(path: "/api/v2/tokens/me", status: 401) == 1)
            #expect(counters.tokenRequests["client_credentials"] == 2)
            let scrape = try rig.scrape()
            #expect(scrape.value("genesys_token_refreshes_total", ["reason": "unauthorized"]) == 1)
            #expect(scrape.value("genesys_token_refreshes_total", ["reason": "initial"]) == 1)
            #expect(
                scrape.value("genesys_api_retries_total", ["endpoint": "/api/v2/tokens/me", "reason": "unauthorized"])
                    == 1)

            // Later calls use the new token without further renewals.
            for _ in 0..<5 { _ = try await api.get(.tokensMe) }
            #expect(sim.counters().tokenRequests["client_credentials"] == 2)
            #expect(sim.counters().apiRequests(path: "/api/v2/tokens/me", status: 401) == 1)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func test_revocationUnderLoad_sixtyFourConcurrentCallsShareOneTokenRequest() async throws {
        try await withSimulator { sim in
            let rig = try TokenRig(sim.tokenConfiguration())
            defer { rig.shutdown() }
            let api = rig.apiClient(sim)
            _ = try await api.get(.tokensMe)
            sim.setTokenEndpointLatency(.milliseconds(200))  // so the callers' renewals overlap
            let before = sim.counters()

            sim.revokeAllTokens()
            let statuses = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<64 {
                    group.addTask { (try? await api.get(.tokensMe).response.status) ?? -1 }
                }
                return await group.reduce(into: [Int]()) { $0.append($1) }
            }

            let after = sim.counters()
            #expect(statuses.count == 64)
            #expect(statuses.allSatisfy { $0 == 200 }, "statuses: \(statuses.filter { $0 != 200 })")
            #expect(
                (after.tokenRequests["client_credentials"] ?? 0) - (before.tokenRequests["client_credentials"] ?? 0)
                    == 1)
            #expect(after.maxConcurrentTokenRequests == 1)
            #expect(after.apiRequests(path: "/api/v2/tokens/me", status: 401) >= 1)
            #expect(
                after.apiRequests(path: "/api/v2/tokens/me", status: 200)
                    - before.apiRequests(path: "/api/v2/tokens/me", status: 200) == 64)
            let scrape = try rig.scrape()
            #expect(scrape.value("genesys_token_refreshes_total", ["reason": "unauthorized"]) == 1)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func test_firstUse_byManyConcurrentCallers_makesOneTokenRequest() async throws {
        try await withSimulator { sim in
            sim.setTokenEndpointLatency(.milliseconds(200))
            let rig = try TokenRig(sim.tokenConfiguration())
            defer { rig.shutdown() }
            let values = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<32 { group.addTask { try await rig.provider.validToken().value.exposedValue } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(values.count == 1)
            #expect(sim.counters().tokenRequests["client_credentials"] == 1)
            #expect(try rig.scrape().value("genesys_token_refreshes_total", ["reason": "initial"]) == 1)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func test_invalidatingAnOldToken_doesNotDiscardItsReplacement() async throws {
        try await withSimulator { sim in
            let rig = try TokenRig(sim.tokenConfiguration())
            defer { rig.shutdown() }
            let old = try await rig.provider.validToken()
            await rig.provider.invalidate(old)
            let replacement = try await rig.provider.validToken()
            #expect(replacement.value != old.value)
            // A late 401 for the old token must not cost another token request.
            await rig.provider.invalidate(old)
            #expect(try await rig.provider.validToken().value == replacement.value)
            #expect(sim.counters().tokenRequests["client_credentials"] == 2)
        }
    }
}
