import GenesysAuthTestSupport
import GenesysBaseTestSupport
import GenesysSimulator
import SimulatorTestSupport
import Testing

/// The paged queue listing survives token renewals and revocations between its pages.
@Suite("Queue listing across token renewals")
struct QueueListingTests {
    @Test(.timeLimit(.minutes(2)))
    func test_tokenRenewedBetweenPages_listingContinues() async throws {
        // Every request the simulator serves moves virtual time on by 400 ms, so the 1 s token must be renewed
        // during the 5-page listing, and no machine load can make a page arrive after its token expired.
        let clock = ManualClock()
        var simulatorConfiguration = SimulatorConfiguration(tokenTTL: .seconds(1), queueCount: 2_500)
        simulatorConfiguration.now = {
            clock.advance(by: .milliseconds(400))
            return clock.simulatorNow()
        }
        try await withSimulator(simulatorConfiguration) { sim in
            let rig = TokenRig(try sim.tokenConfiguration(), clock: clock)
            defer { rig.shutdown() }
            let listing = try await rig.apiClient(sim).listRoutingQueues()
            #expect(listing.total == 2_500)
            #expect(listing.queues.count == 2_500)
            #expect(Set(listing.queues.map(\.id)).count == 2_500)
            let counters = sim.counters()
            #expect(counters.apiRequests(path: "/api/v2/routing/queues", status: 200) == 5)
            #expect(counters.requestsWithExpiredToken == 0)
            #expect((counters.tokenRequests["client_credentials"] ?? 0) >= 2)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func test_tokensRevokedBetweenPages_pageIsRetriedOnceAndListingCompletes() async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 1_200)) { sim in
            let rig = TokenRig(try sim.tokenConfiguration())
            defer { rig.shutdown() }
            let api = rig.apiClient(sim)
            _ = try await api.get(.tokensMe)  // log in first
            sim.inject(.delay(.milliseconds(200)), path: "/api/v2/routing/queues", count: 1)
            let listing = Task { try await api.listRoutingQueues() }
            #expect(await eventually { sim.counters().apiRequests(path: "/api/v2/routing/queues") >= 1 })
            sim.revokeAllTokens()
            let result = try await listing.value
            #expect(result.queues.count == 1_200)
            let counters = sim.counters()
            #expect(counters.apiRequests(path: "/api/v2/routing/queues", status: 401) == 1)
            #expect(counters.apiRequests(path: "/api/v2/routing/queues", status: 200) == 3)
            let scrape = try rig.scrape()
            #expect(scrape.value("genesys_token_refreshes_total", ["reason": "unauthorized"]) == 1)
            #expect(
                scrape.value(
                    "genesys_api_retries_total", ["endpoint": "/api/v2/routing/queues", "reason": "unauthorized"]) == 1)
        }
    }
}
