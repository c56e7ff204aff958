import GenesysSimulator
import GenesysTestSupport
import Testing

@Suite("Routing queues over a real scrape")
struct QueueMetricsTests {
    /// 5,000 queues span ten pages of 500; the count must be the API's total, not one page's worth.
    @Test(arguments: [0, 1, 57, 5_000])
    func test_routingQueueCount_equalsTheSimulatorCatalog(queueCount: Int) async throws {
        try await withExporter(
            SimulatorConfiguration(queueCount: queueCount),
            settings: { try $0.orgSettings(pollInterval: .seconds(30), collectors: ["queues"]) }
        ) { sim, exporter in
            // One poll is all this needs; a 5,000-queue listing every 200 ms would load the machine for the other tests.
            let scrape = try await exporter.scrape(until: "the queues collector's first poll", timeout: .seconds(90)) {
                $0.collectorUp("queues") == 1
            }
            #expect(scrape.value("genesys_routing_queues") == Double(queueCount))
            #expect(scrape.collectorUp("queues") == 1)
            #expect(scrape.samples("genesys_queue_members").count == min(queueCount, 500))
            let pages = max(1, (queueCount + 499) / 500)
            #expect(sim.counters().apiRequests(path: APIPath.routingQueues, status: 200) == pages)
            if queueCount == 5_000 {
                let took = scrape.value("genesys_collector_duration_seconds", ["collector": "queues"]) ?? -1
                print("5,000-queue poll of the queues collector (10 pages): \(Int(took * 1000)) ms")
            }
        }
    }

    @Test func test_perQueueMemberSeries_matchTheSimulatorQueues() async throws {
        try await withExporter(settings: { try $0.orgSettings(collectors: ["queues"]) }) { sim, exporter in
            let scrape = try await exporter.scrape(until: "queue member series") { $0.collectorUp("queues") == 1 }
            let queues = sim.queues()
            #expect(queues.count == 40)
            #expect(scrape.samples("genesys_queue_members").count == queues.count)
            #expect(scrape.samples("genesys_queue_joined_members").count == queues.count)
            for queue in queues {
                let members = scrape.samples("genesys_queue_members", ["queue_id": queue.id])
                #expect(members.count == 1, "one member series for \(queue.name)")
                #expect(members.first?.labels["queue_name"] == queue.name)
                #expect(members.first?.value == Double(queue.memberCount), "members of \(queue.name)")
                #expect(
                    scrape.value("genesys_queue_joined_members", ["queue_id": queue.id])
                        == Double(queue.joinedMemberCount),
                    "joined members of \(queue.name)")
            }
        }
    }

    /// The simulator's queue 2 is named `Escalations "Tier 2" \ Zürich 003`.
    @Test func test_queueNameWithQuoteBackslashAndUmlaut_roundTripsThroughExpositionEscaping() async throws {
        try await withExporter(settings: { try $0.orgSettings(collectors: ["queues"]) }) { sim, exporter in
            let awkward = sim.queues()[2]
            #expect(awkward.name.contains("\"") && awkward.name.contains("\\") && awkward.name.contains("ü"))
            let scrape = try await exporter.scrape(until: "queue member series") { $0.collectorUp("queues") == 1 }
            #expect(
                scrape.samples("genesys_queue_members", ["queue_id": awkward.id]).first?.labels["queue_name"]
                    == awkward.name)
            let text = try await exporter.get("/metrics").bodyText
            #expect(text.contains(#"queue_name="Escalations \"Tier 2\" \\ Zürich 003""#))
        }
    }

    @Test func test_nameFilterAndCap_limitPerQueueSeries_whileTheQueueCountStaysExact() async throws {
        // Support queues are indices 1, 9, 17, 25, 33: "Support 002" … "Support 034".
        try await withExporter(settings: { try $0.orgSettings(nameFilter: "Support.*", maxQueues: 3) }) {
            sim, exporter in
            let scrape = try await exporter.scrape(until: "queues and observations polled") {
                $0.collectorUp("queues") == 1 && $0.collectorUp("observations") == 1
            }
            #expect(scrape.value("genesys_routing_queues") == 40)
            let expected = sim.queues().filter { $0.name.hasPrefix("Support ") }.sorted { $0.name < $1.name }.prefix(3)
            #expect(expected.map(\.name) == ["Support 002", "Support 010", "Support 018"])
            for family in ["genesys_queue_members", "genesys_queue_joined_members", "genesys_queue_agents_on_queue"] {
                let names = Set(scrape.samples(family).compactMap { $0.labels["queue_name"] })
                #expect(names == Set(expected.map(\.name)), "\(family) has series for the selected queues only")
            }
            let observed = Set(
                scrape.samples("genesys_queue_conversations_waiting").compactMap { $0.labels["queue_id"] })
            #expect(observed == Set(expected.map(\.id)))
        }
    }

    /// The filter must match the whole name: "Support" alone matches no queue ("Support 002" has a suffix).
    @Test func test_nameFilter_matchesWholeNamesOnly() async throws {
        try await withExporter(settings: { try $0.orgSettings(collectors: ["queues"], nameFilter: "Support") }) {
            _, exporter in
            let scrape = try await exporter.scrape(until: "queues polled") { $0.collectorUp("queues") == 1 }
            #expect(scrape.value("genesys_routing_queues") == 40)
            #expect(scrape.samples("genesys_queue_members").isEmpty)
        }
    }
}
