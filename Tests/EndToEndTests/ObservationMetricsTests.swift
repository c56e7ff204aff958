import GenesysSimulator
import GenesysTestSupport
import Testing

@Suite("Queue observations over a real scrape")
struct ObservationMetricsTests {
    static let mediaTypes = ["voice", "chat", "email", "callback", "message"]

    @Test func test_observationValues_matchTheSimulator_forEveryQueueAndMediaType() async throws {
        // 150 queues: the observation query is split into two batches of at most 100 predicates.
        try await withExporter(SimulatorConfiguration(queueCount: 150, movingObservations: false)) { sim, exporter in
            let scrape = try await exporter.scrape(until: "observations polled") { $0.collectorUp("observations") == 1 }
            let queues = sim.queues()
            #expect(scrape.samples("genesys_queue_agents_on_queue").count == queues.count)
            #expect(scrape.samples("genesys_queue_conversations_waiting").count == queues.count * Self.mediaTypes.count)
            #expect(
                scrape.samples("genesys_queue_conversations_interacting").count == queues.count * Self.mediaTypes.count)
            var compared = 0
            for queue in queues {
                let onQueue = sim.observation(queueID: queue.id, mediaType: "voice", metric: "oOnQueueUsers")
                #expect(
                    scrape.value("genesys_queue_agents_on_queue", ["queue_id": queue.id, "queue_name": queue.name])
                        == Double(onQueue))
                for media in Self.mediaTypes {
                    let labels = ["queue_id": queue.id, "queue_name": queue.name, "media_type": media]
                    let waiting = sim.observation(queueID: queue.id, mediaType: media, metric: "oWaiting")
                    let interacting = sim.observation(queueID: queue.id, mediaType: media, metric: "oInteracting")
                    #expect(
                        scrape.value("genesys_queue_conversations_waiting", labels) == Double(waiting),
                        "waiting \(media) in \(queue.name)")
                    #expect(
                        scrape.value("genesys_queue_conversations_interacting", labels) == Double(interacting),
                        "interacting \(media) in \(queue.name)")
                    compared += 2
                }
            }
            #expect(compared == 150 * 10)
            // The values are not all zero (a collector that published zeros everywhere would pass the comparisons of zeros).
            #expect(scrape.sum("genesys_queue_conversations_waiting") > 0)
            #expect(scrape.sum("genesys_queue_agents_on_queue") > 0)
        }
    }
}
