import GenesysSimulator
import GenesysTestSupport
import SimulatorTestSupport
import Testing

/// A scrape sees each poll whole: never a queue count without its series, never series without `collector_up`.
@Suite("Scrape consistency")
struct ScrapeConsistencyTests {
    @Test(.timeLimit(.minutes(4)))
    func test_scrapesDuringPolls_neverSeeHalfAPoll() async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 3_000)) { sim in
            let exporter = try await RunningExporter(
                try sim.orgSettings(pollInterval: .milliseconds(100), collectors: ["queues"], maxQueues: 500))
            var sawQueues = 0
            // A 500-queue page scraped back to back beside the whole suite: generous, so that only a broken poll fails.
            let deadline = ContinuousClock.now + .seconds(150)
            // Scrape back to back through the first polls and several more (each poll republishes 500 series).
            while sawQueues < 20 && ContinuousClock.now < deadline {
                let scrape = try await exporter.scrape()
                guard let total = scrape.value("genesys_routing_queues") else {
                    #expect(scrape.samples("genesys_queue_members").isEmpty)
                    continue
                }
                sawQueues += 1
                #expect(total == 3_000)
                #expect(scrape.samples("genesys_queue_members").count == 500)
                #expect(scrape.samples("genesys_queue_joined_members").count == 500)
                #expect(scrape.value("genesys_collector_up", ["collector": "queues"]) == 1)
            }
            await exporter.stop()
            #expect(sawQueues == 20)
        }
    }
}
