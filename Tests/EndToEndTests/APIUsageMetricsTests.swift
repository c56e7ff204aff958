import GenesysBaseTestSupport
import GenesysExporter
import GenesysSimulator
import GenesysTestSupport
import SimulatorTestSupport
import Testing

@Suite("API usage per OAuth client over a real scrape")
struct APIUsageMetricsTests {
    static let query = "/api/v2/usage/query"
    static let results = "/api/v2/usage/query/{executionId}/results"
    static let ownResults = "/api/v2/oauth/clients/{clientId}/usage/query/results/{executionId}"
    static let classes = ["2xx", "3xx", "4xx", "429", "5xx"]

    static func settings(
        _ options: [String: String] = [:], collectors: Set<String> = ["api_usage"]
    ) -> (GenesysSimulator) throws -> OrgSettings {
        { sim in
            var settings = try sim.orgSettings(collectors: collectors)
            // A poll a second, so that a test sees a change or a fault cleared soon.
            settings.collectorOptions = ["api_usage": ["interval": "1s"].merging(options) { $1 }]
            return settings
        }
    }

    /// Every other client of the org with its totals and every status class (0 included), as the simulator has
    /// them; this exporter's own client both among them and on its own.
    @Test func test_perClientTotals_matchTheSimulator() async throws {
        try await withExporter(settings: Self.settings()) { sim, exporter in
            let ownID = try sim.tokenConfiguration().clientID
            // The first query is the exporter's first request, before its client has any usage to count.
            let scrape = try await exporter.scrape(until: "api usage polled with this client among the others") {
                $0.collectorUp("api_usage") == 1
                    && ($0.value("genesys_api_usage_requests_total", ["client_id": ownID]) ?? 0) > 0
            }
            for client in sim.otherClientUsage() {
                let labels = ["client_id": client.clientID, "client_name": client.clientName]
                #expect(scrape.value("genesys_api_usage_requests_total", labels) == Double(client.requests))
                for (index, statusClass) in Self.classes.enumerated() {
                    #expect(
                        scrape.value(
                            "genesys_api_usage_responses_total", labels.merging(["status_class": statusClass]) { $1 })
                            == Double(client.counts[index]), "\(client.clientName) \(statusClass)")
                }
            }
            #expect(scrape.value("genesys_api_usage_requests_total", ["client_name": "WFM sync"]) == 9_164)
            #expect(
                scrape.value("genesys_api_usage_responses_total", ["client_name": "WFM sync", "status_class": "429"])
                    == 37)
            let own = try #require(scrape.value("genesys_api_usage_own_client_requests_total"))
            // Only the right client id gets rows: the simulator counts the requests this exporter made today.
            #expect(own >= 1)
            #expect(scrape.samples("genesys_api_usage_own_client_responses_total").count == 5)
            #expect(scrape.samples("genesys_api_usage_own_client_requests_total").first?.labels["client_id"] == ownID)
            #expect(scrape.value("genesys_api_usage_clients") == 4)
        }
    }

    /// The busiest clients keep their series; the rest are one `other` series whose totals are exact.
    @Test func test_clientsBeyondTheCap_areSummedAsOther() async throws {
        try await withExporter(settings: Self.settings(["clients-max": "1"])) { sim, exporter in
            sim.setOtherClientUsage([
                SimulatedClientUsage(clientID: "c-1", clientName: "Big", counts: [900_000, 0, 0, 0, 0]),
                SimulatedClientUsage(clientID: "c-2", clientName: "Small", counts: [10, 0, 2, 5, 1]),
                SimulatedClientUsage(clientID: "c-3", clientName: "Tiny", counts: [3, 0, 0, 1, 0]),
            ])
            // Once this exporter's own client has usage too (from its second poll on), four clients called today.
            let scrape = try await exporter.scrape(until: "the capped clients") {
                $0.value("genesys_api_usage_requests_total", ["client_id": "c-1"]) == 900_000
                    && $0.value("genesys_api_usage_clients") == 4
            }
            #expect(scrape.samples("genesys_api_usage_requests_total").count == 2)
            let other = try #require(scrape.value("genesys_api_usage_requests_total", ["client_id": "other"]))
            let own = try #require(scrape.value("genesys_api_usage_own_client_requests_total"))
            #expect(other >= 22 + 1, "Small, Tiny and this exporter's own client")
            #expect(other <= 22 + own + 10, "…and nothing else (own requests move between the two queries)")
            #expect(
                scrape.value("genesys_api_usage_responses_total", ["client_id": "other", "status_class": "429"]) == 6)
            #expect(scrape.value("genesys_api_usage_clients") == 4)
        }
    }

    /// A result that is still running is fetched again until it completes; the poll then succeeds. On virtual
    /// time: the collector's wait between fetches is advanced, not slept (in real time this test timed out three
    /// times in about twelve full parallel runs, with no API failure counted).
    @Test func test_runningResult_isFetchedAgainUntilComplete() async throws {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration().judgingTime(by: clock)
        configuration.wallNow = { clock.unixNow }
        try await withSimulator(configuration) { sim in
            // Before the exporter starts, so that its first poll already meets a Running result.
            sim.setUsageQueries(runningFetches: 1)
            let exporter = try await RunningExporter(try Self.settings()(sim), clock: clock)
            do {
                func fetches() -> Int {
                    sim.requestLog().filter { $0.path == Self.results || $0.path == Self.ownResults }.count
                }
                // A poll makes two queries (the org's per client, then this exporter's own client's), and each
                // result answers Running once: each time the collector waits on the clock beside the token loop.
                for query in 1...2 {
                    try await awaitCondition("a wait after query \(query)'s Running result") {
                        fetches() == 2 * query - 1 && clock.sleeperCount == 2
                    }
                    clock.advance(by: .seconds(2))  // past the first backoff delay (1 s) and its jitter
                }
                let scrape = try await exporter.scrape(until: "api usage polled") { $0.collectorUp("api_usage") == 1 }
                #expect(fetches() == 4, "Running, then Complete, for each query")
                #expect(scrape.apiFailures(Self.results) == 0)
                #expect(scrape.apiFailures(Self.ownResults) == 0)
                await exporter.stop()
            } catch {
                await exporter.stop()
                throw error
            }
        }
    }

    /// A result that never completes is an `incomplete` failure within the timeout, not a hang: the last values
    /// stay, and the org still counts as reached (`genesys_up` 1).
    @Test func test_resultThatNeverCompletes_isAnIncompleteFailure_notAHang() async throws {
        try await withExporter(settings: Self.settings(["result-timeout": "2s"])) { sim, exporter in
            let first = try await exporter.scrape(until: "api usage polled") { $0.collectorUp("api_usage") == 1 }
            let before = first.value("genesys_api_usage_requests_total", ["client_name": "CRM connector"])
            sim.setUsageQueries(runningFetches: Int.max)
            let scrape = try await exporter.scrape(until: "an incomplete usage result") {
                $0.apiFailures(Self.results, "incomplete") >= 1 && $0.collectorUp("api_usage") == 0
            }
            #expect(scrape.value("genesys_api_usage_requests_total", ["client_name": "CRM connector"]) == before)
            #expect(scrape.value("genesys_up") == 1)
            sim.setUsageQueries(runningFetches: 0)
            _ = try await exporter.scrape(until: "recovered") { $0.collectorUp("api_usage") == 1 }
        }
    }

    @Test func test_failedQuery_isAServerErrorFailure() async throws {
        try await withExporter(settings: Self.settings()) { sim, exporter in
            sim.setUsageQueries(runningFetches: 0, failing: true)
            let scrape = try await exporter.scrape(until: "a failed usage query") {
                $0.apiFailures(Self.results, "server_error") >= 1
            }
            #expect(scrape.collectorUp("api_usage") == 0)
            #expect(scrape.samples("genesys_api_usage_requests_total").isEmpty)
        }
    }

    /// Without the organization usage permission only this collector fails, with the reason `forbidden`; the
    /// other collectors keep polling.
    @Test func test_missingPermission_failsOnlyThisCollector() async throws {
        try await withExporter(settings: Self.settings(collectors: ["identity", "queues", "api_usage"])) {
            sim, exporter in
            sim.setMissingPermissions(["usage:organization:view"])
            let scrape = try await exporter.scrape(until: "a forbidden usage query") {
                $0.apiFailures(Self.query, "forbidden") >= 1 && $0.collectorUp("queues") == 1
                    && $0.collectorUp("identity") == 1
            }
            #expect(scrape.collectorUp("api_usage") == 0)
            #expect(scrape.value("genesys_up") == 1)
        }
    }
}
