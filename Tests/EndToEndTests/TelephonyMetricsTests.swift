import GenesysBaseTestSupport
import GenesysExporter
import GenesysSimulator
import GenesysTestSupport
import SimulatorTestSupport
import Testing

@Suite("Telephony over a real scrape")
struct TelephonyMetricsTests {
    static let edges = "/api/v2/telephony/providers/edges"
    static let trunks = "/api/v2/telephony/providers/edges/trunks"
    static let trunkMetrics = "/api/v2/telephony/providers/edges/trunks/metrics"
    static let phones = "/api/v2/telephony/providers/edges/phones"
    static let onlineStatuses = ["ONLINE", "OFFLINE", "unknown"]
    static let statusCodes = [
        "NEW", "AWAITING_CONNECTION", "AWAITING_FINGERPRINT", "AWAITING_FINGERPRINT_VERIFICATION",
        "FINGERPRINT_VERIFIED", "AWAITING_BOOTSTRAP", "ACTIVE", "INACTIVE", "RMA", "UNPAIRING", "UNPAIRED",
        "INITIALIZING", "unknown",
    ]
    static let phoneStatuses = ["OPERATIONAL", "DEGRADED", "OFFLINE", "UNKNOWN", "unknown"]

    static func settings(
        _ options: [String: String] = [:], collectors: Set<String> = ["telephony"],
        pollInterval: Duration = .milliseconds(200)
    ) -> (GenesysSimulator) throws -> OrgSettings {
        { sim in
            var settings = try sim.orgSettings(pollInterval: pollInterval, collectors: collectors)
            // A poll a second, so that a test sees a change or a fault cleared soon.
            settings.collectorOptions = [
                "telephony": ["interval": "1s", "phones-interval": "1s"].merging(options) { $1 }
            ]
            return settings
        }
    }

    /// Each state set has every value, exactly one of them 1: the simulator's edge 1 is OFFLINE and INACTIVE.
    @Test func test_edgeStatuses_areFullStateSets() async throws {
        try await withExporter(settings: Self.settings()) { sim, exporter in
            let scrape = try await exporter.scrape(until: "telephony polled") { $0.collectorUp("telephony") == 1 }
            let edges = sim.edges()
            #expect(edges.count == 2)
            for edge in edges {
                let online = scrape.samples("genesys_edge_online_status", ["edge_id": edge.id])
                #expect(online.compactMap { $0.labels["status"] }.sorted() == Self.onlineStatuses.sorted())
                #expect(online.allSatisfy { $0.labels["edge_name"] == edge.name && $0.labels["site_name"] != nil })
                #expect(
                    scrape.value(
                        "genesys_edge_online_status", ["edge_id": edge.id, "status": edge.status.onlineStatus])
                        == 1)
                #expect(online.map(\.value).reduce(0, +) == 1)
                let status = scrape.samples("genesys_edge_status", ["edge_id": edge.id])
                #expect(status.compactMap { $0.labels["status"] }.sorted() == Self.statusCodes.sorted())
                #expect(
                    scrape.value("genesys_edge_status", ["edge_id": edge.id, "status": edge.status.statusCode]) == 1)
                #expect(status.map(\.value).reduce(0, +) == 1)
            }
            #expect(scrape.value("genesys_edges", ["status": "ONLINE"]) == 1)
            #expect(scrape.value("genesys_edges", ["status": "OFFLINE"]) == 1)
            #expect(scrape.value("genesys_edges", ["status": "unknown"]) == 0)
        }
    }

    /// A status Genesys may add later is `unknown`: the edge keeps its series, the poll succeeds.
    @Test func test_unknownEdgeStatus_becomesUnknown() async throws {
        try await withExporter(settings: Self.settings()) { sim, exporter in
            sim.setEdgeStatus(index: 0, SimulatedEdgeStatus(onlineStatus: "SLEEPING", statusCode: "TELEPORTING"))
            let id = sim.edges()[0].id
            let scrape = try await exporter.scrape(until: "the edge's status unknown") {
                $0.value("genesys_edge_online_status", ["edge_id": id, "status": "unknown"]) == 1
            }
            #expect(scrape.collectorUp("telephony") == 1)
            #expect(scrape.value("genesys_edge_status", ["edge_id": id, "status": "unknown"]) == 1)
            #expect(scrape.value("genesys_edge_online_status", ["edge_id": id, "status": "ONLINE"]) == 0)
            #expect(scrape.samples("genesys_edge_online_status", ["edge_id": id]).count == 3)
            #expect(scrape.value("genesys_edges", ["status": "unknown"]) == 1)
        }
    }

    /// The page numbers each listing was asked for (every poll asks for the same ones).
    static func pagesAskedFor(_ sim: GenesysSimulator, _ path: String) -> Set<String> {
        Set(sim.requestLog().filter { $0.path == path }.compactMap { $0.query["pageNumber"] })
    }

    /// One listing page each, no metrics request, and zeros rather than missing families.
    @Test func test_orgWithoutEdgesTrunksOrPhones_getsZeros() async throws {
        try await withExporter(
            SimulatorConfiguration(edgeCount: 0, trunkCount: 0, phoneCount: 0), settings: Self.settings()
        ) { sim, exporter in
            let scrape = try await exporter.scrape(until: "telephony polled") { $0.collectorUp("telephony") == 1 }
            #expect(scrape.samples("genesys_edges").map(\.value) == [0, 0, 0])
            #expect(scrape.samples("genesys_trunks").count == 4)
            #expect(scrape.sum("genesys_trunks") == 0)
            #expect(scrape.samples("genesys_trunks_connected").count == 4)
            #expect(scrape.samples("genesys_edge_online_status").isEmpty)
            #expect(scrape.samples("genesys_trunk_connected").isEmpty)
            #expect(scrape.samples("genesys_phones").isEmpty)
            for path in [Self.edges, Self.trunks, Self.phones] {
                #expect(Self.pagesAskedFor(sim, path) == ["1"], "\(path)")
            }
            #expect(sim.requestLog().filter { $0.path == Self.trunkMetrics }.isEmpty)
        }
    }

    @Test func test_trunks_connectedInServiceTypeAndCalls_matchTheSimulator() async throws {
        try await withExporter(settings: Self.settings()) { sim, exporter in
            let scrape = try await exporter.scrape(until: "trunk calls") {
                $0.collectorUp("telephony") == 1 && !$0.samples("genesys_trunk_calls").isEmpty
            }
            let types = ["EXTERNAL", "EXTERNAL", "EDGE", "PHONE"]
            for index in 0..<4 {
                let name = "Trunk \(index + 1)"
                let connected = scrape.samples("genesys_trunk_connected", ["trunk_name": name])
                #expect(connected.count == 1)
                #expect(connected.first?.labels["trunk_type"] == types[index])
                #expect(connected.first?.value == (index == 1 ? 0 : 1))
                #expect(scrape.value("genesys_trunk_in_service", ["trunk_name": name]) == 1)
                let calls = sim.trunkCalls(index: index)
                #expect(
                    scrape.value("genesys_trunk_calls", ["trunk_name": name, "direction": "inbound"])
                        == Double(calls.inbound))
                #expect(
                    scrape.value("genesys_trunk_calls", ["trunk_name": name, "direction": "outbound"])
                        == Double(calls.outbound))
            }
            #expect(scrape.value("genesys_trunks", ["trunk_type": "EXTERNAL"]) == 2)
            #expect(scrape.value("genesys_trunks_connected", ["trunk_type": "EXTERNAL"]) == 1)
            #expect(scrape.value("genesys_trunks", ["trunk_type": "unknown"]) == 0)
        }
    }

    /// Counts by site and status, every status per site (0 included); never a series per phone by default.
    @Test func test_phoneCounts_bySiteAndStatus_matchTheSimulator() async throws {
        try await withExporter(settings: Self.settings()) { sim, exporter in
            let scrape = try await exporter.scrape(until: "telephony polled") { $0.collectorUp("telephony") == 1 }
            let phones = sim.phones()
            #expect(phones.count == 20)
            let sites = Set(phones.map(\.siteName))
            #expect(scrape.samples("genesys_phones").count == sites.count * Self.phoneStatuses.count)
            for site in sites {
                for status in Self.phoneStatuses {
                    let expected = phones.filter { $0.siteName == site && $0.operationalStatus == status }.count
                    #expect(
                        scrape.value("genesys_phones", ["site_name": site, "status": status]) == Double(expected),
                        "\(site) \(status)")
                }
            }
            #expect(scrape.sum("genesys_phones", ["status": "OFFLINE"]) == 2)
            #expect(scrape.sum("genesys_phones", ["status": "DEGRADED"]) == 2)
            #expect(scrape.samples("genesys_phone_status").isEmpty, "per-phone series are opt-in")
        }
    }

    @Test func test_perPhoneSeries_areOptInAndCapped() async throws {
        try await withExporter(settings: Self.settings(["phones-max": "5"])) { sim, exporter in
            let scrape = try await exporter.scrape(until: "telephony polled") { $0.collectorUp("telephony") == 1 }
            let samples = scrape.samples("genesys_phone_status")
            #expect(samples.count == 5 * Self.phoneStatuses.count)
            let expected = sim.phones().sorted { $0.name < $1.name }.prefix(5)
            #expect(Set(samples.compactMap { $0.labels["phone_id"] }) == Set(expected.map(\.id)))
            for phone in expected {
                #expect(
                    scrape.value("genesys_phone_status", ["phone_id": phone.id, "status": phone.operationalStatus]) == 1
                )
            }
            #expect(scrape.sum("genesys_phones") == 20, "the counts stay exact")
        }
    }

    /// 250 phones are three pages of 100, 150 trunks two pages and two metrics requests of 100 ids.
    @Test func test_listings_pageAcrossSeveralPages() async throws {
        try await withExporter(SimulatorConfiguration(trunkCount: 150, phoneCount: 250), settings: Self.settings()) {
            sim, exporter in
            let scrape = try await exporter.scrape(until: "telephony polled") { $0.collectorUp("telephony") == 1 }
            #expect(scrape.sum("genesys_phones") == 250)
            #expect(scrape.sum("genesys_trunks") == 150)
            #expect(scrape.samples("genesys_trunk_connected").count == 150)
            #expect(scrape.samples("genesys_trunk_calls").count == 300)
            #expect(Self.pagesAskedFor(sim, Self.phones) == ["1", "2", "3"])
            #expect(Self.pagesAskedFor(sim, Self.trunks) == ["1", "2"])
            let batches = sim.requestLog().filter { $0.path == Self.trunkMetrics }.compactMap { $0.query["trunkIds"] }
            #expect(batches.allSatisfy { $0.split(separator: ",").count <= 100 })
            #expect(Set(batches.flatMap { $0.split(separator: ",") }).count == 150)
        }
    }

    /// Phones are listed at most every `phones-interval` (5 minutes by default; 1 s in the other tests), with only
    /// the fields read; edges and trunks at every poll. Virtual time: a poll a minute, eight polls (0 s to 490 s).
    @Test func test_phones_areListedAtTheirOwnSlowerInterval_withOnlyTheFieldsRead() async throws {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration().judgingTime(by: clock)
        configuration.wallNow = { clock.unixNow }
        try await withSimulator(configuration) { sim in
            var settings = try sim.orgSettings(pollInterval: .seconds(60), collectors: ["telephony"])
            settings.collectorOptions = ["telephony": ["phones-interval": "5m"]]
            let exporter = try await RunningExporter(settings, clock: clock)
            do {
                func listings(_ path: String) -> Int { sim.requestLog().filter { $0.path == path }.count }
                _ = try await exporter.scrape(until: "telephony polled") { $0.collectorUp("telephony") == 1 }
                var phoneListingsAt: [Int: Int] = [:]
                for poll in 1...7 {
                    let trunkListings = listings(Self.trunks)
                    // The token loop and the collector asleep: no poll in flight when time jumps past the next one.
                    try await awaitCondition("both loops asleep before poll \(poll)") { clock.sleeperCount == 2 }
                    clock.advance(by: .seconds(70))  // past the interval's 10% jitter
                    try await awaitCondition("trunks listed at poll \(poll)") { listings(Self.trunks) > trunkListings }
                    phoneListingsAt[poll] = listings(Self.phones)
                }
                #expect(phoneListingsAt[4] == 1, "one page of 20 phones, once until 280 s")
                #expect(phoneListingsAt[7] == 2, "listed again at 350 s, five minutes on")
                let phoneRequests = sim.requestLog().filter { $0.path == Self.phones }
                #expect(phoneRequests.first?.query["fields"] == "id,name,site,status")
                #expect(phoneRequests.first?.query["expand"] == "status")
                let scrape = try await exporter.scrape()
                #expect(scrape.sum("genesys_phones") == 20, "the counts stay between listings")
                await exporter.stop()
            } catch {
                await exporter.stop()
                throw error
            }
        }
    }

    @Test func test_trunkSeries_areCapped_whileCountsStayExact() async throws {
        try await withExporter(settings: Self.settings(["trunks-max": "2"])) { _, exporter in
            let scrape = try await exporter.scrape(until: "telephony polled") { $0.collectorUp("telephony") == 1 }
            #expect(scrape.samples("genesys_trunk_connected").count == 2)
            #expect(scrape.samples("genesys_trunk_calls").count == 4)
            #expect(scrape.sum("genesys_trunks") == 4)
        }
    }

    @Test func test_edgeResourceMetrics_areOptIn() async throws {
        try await withExporter(settings: Self.settings(["edge-metrics": "true"])) { sim, exporter in
            let scrape = try await exporter.scrape(until: "edge resources") {
                $0.collectorUp("telephony") == 1 && !$0.samples("genesys_edge_cpu_busy_ratio").isEmpty
            }
            for edge in sim.edges() {
                let busy = try #require(scrape.value("genesys_edge_cpu_busy_ratio", ["edge_id": edge.id]))
                #expect((0...1).contains(busy))
                let total = try #require(scrape.value("genesys_edge_memory_total_bytes", ["edge_id": edge.id]))
                let free = try #require(scrape.value("genesys_edge_memory_available_bytes", ["edge_id": edge.id]))
                #expect(free <= total)
                #expect(scrape.samples("genesys_edge_disk_total_bytes", ["edge_id": edge.id]).count == 1)
            }
        }
        try await withExporter(settings: Self.settings()) { sim, exporter in
            _ = try await exporter.scrape(until: "telephony polled") { $0.collectorUp("telephony") == 1 }
            #expect(sim.counters().apiRequests(path: Self.edges + "/metrics", status: 200) == 0)
        }
    }

    @Test func test_malformedAnswer_isCountedMalformedResponse_withOtherCollectorsUnaffected() async throws {
        try await withExporter(settings: Self.settings(collectors: ["telephony", "queues"])) { sim, exporter in
            _ = try await exporter.scrape(until: "telephony polled") { $0.collectorUp("telephony") == 1 }
            sim.inject(.malformedBody, path: Self.phones)
            let scrape = try await exporter.scrape(until: "a malformed phone listing") {
                $0.collectorUp("telephony") == 0 && $0.collectorUp("queues") == 1
                    && $0.sum("genesys_api_failures_total", ["endpoint": Self.phones, "reason": "malformed_response"])
                        >= 1
            }
            #expect(scrape.value("genesys_routing_queues") == 40)
            sim.clearFaults()
            _ = try await exporter.scrape(until: "telephony back up") { $0.collectorUp("telephony") == 1 }
        }
    }

    @Test func test_missingPermission_downsTelephony_withReasonForbidden() async throws {
        let settings: (GenesysSimulator) throws -> OrgSettings = { sim in
            sim.setMissingPermissions(["telephony:plugin:all"])
            return try Self.settings(collectors: ["telephony", "queues"])(sim)
        }
        try await withExporter(settings: settings) { _, exporter in
            let scrape = try await exporter.scrape(until: "a forbidden edge listing") {
                $0.collectorUp("queues") == 1
                    && $0.sum("genesys_api_failures_total", ["endpoint": Self.edges, "reason": "forbidden"]) >= 1
            }
            #expect(scrape.collectorUp("telephony") == 0)
            #expect(scrape.samples("genesys_edge_online_status").isEmpty)
        }
    }
}
