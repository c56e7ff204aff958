import GenesysBaseTestSupport
import GenesysExporter
import GenesysSimulator
import GenesysTestSupport
import Testing

@Suite("API failures as a user sees them")
struct FailureTests {
    @Test func test_missingObservationPermission_downsOnlyThatCollector_andCountsForbidden() async throws {
        let settings: (GenesysSimulator) throws -> OrgSettings = { sim in
            sim.setMissingPermissions(["analytics:queueObservation:view"])
            return try sim.orgSettings()
        }
        try await withExporter(settings: settings) { _, exporter in
            let scrape = try await exporter.scrape(until: "a forbidden observation query") {
                $0.collectorUp("identity") == 1 && $0.collectorUp("queues") == 1
                    && $0.sum(
                        "genesys_api_failures_total", ["endpoint": APIPath.queueObservations, "reason": "forbidden"])
                        >= 1
            }
            #expect(scrape.collectorUp("observations") == 0)
            #expect(scrape.value("genesys_up") == 1, "a 403 still reached the API")
            #expect(scrape.samples("genesys_queue_conversations_waiting").isEmpty)
            #expect(
                scrape.value("genesys_collector_last_success_timestamp_seconds", ["collector": "observations"]) == nil)
            // Ready once every collector's first poll has ended, although observations never succeed: the slower
            // collectors may still be in their first poll when the forbidden query is counted.
            try await awaitCondition("/-/ready answering 200 while observations fail") {
                try await exporter.get("/-/ready").status == 200
            }
            #expect(try await exporter.scrape().collectorUp("observations") == 0)
        }
    }

    @Test func test_collectorFailingAfterSuccess_keepsItsLastValues() async throws {
        try await withExporter { sim, exporter in
            let before = try await exporter.scrape(until: "observations polled") { $0.collectorUp("observations") == 1 }
            let published = before.samples("genesys_queue_conversations_waiting")
            #expect(published.count == 40 * 5)
            let lastSuccess = try #require(
                before.value("genesys_collector_last_success_timestamp_seconds", ["collector": "observations"]))

            sim.setMissingPermissions(["analytics:queueObservation:view"])
            let after = try await exporter.scrape(until: "the observations collector down") {
                $0.collectorUp("observations") == 0 && $0.collectorUp("queues") == 1
                    && $0.sum(
                        "genesys_api_failures_total", ["endpoint": APIPath.queueObservations, "reason": "forbidden"])
                        >= 1
            }
            #expect(
                Set(after.samples("genesys_queue_conversations_waiting").map(\.labels)) == Set(published.map(\.labels)))
            for sample in published {
                #expect(after.value(sample.name, sample.labels) == sample.value, "stale, not removed: \(sample.labels)")
            }
            let staleSince = after.value(
                "genesys_collector_last_success_timestamp_seconds", ["collector": "observations"])
            #expect(staleSince.map { $0 >= lastSuccess } == true)
        }
    }

    /// A 429 with Retry-After: 2 holds that collector back for 2 s while the others keep their 200 ms pace.
    /// Virtual time: the poll loops sleep on a manual clock, so the gap is exact whatever the machine's load.
    @Test func test_rateLimitedCollector_waitsForRetryAfter_whileOthersKeepPolling() async throws {
        let clock = ManualClock()
        try await withExporter(
            clock: clock, settings: { try $0.orgSettings(collectors: ["identity", "queues", "observations"]) }
        ) { sim, exporter in
            /// Advances virtual time once every loop (3 collectors and the token renewal) is asleep on the clock,
            /// so no poll is in flight when time jumps.
            func step(_ duration: Duration) async throws {
                try await awaitCondition("all four loops asleep") { clock.sleeperCount == 4 }
                clock.advance(by: duration)
            }
            try await awaitCondition("every collector polled") {
                try await step(.milliseconds(50))
                let scrape = try await exporter.scrape()
                return ["identity", "queues", "observations"].allSatisfy { scrape.collectorUp($0) == 1 }
            }
            sim.inject(.status(429, retryAfter: 2), path: APIPath.routingQueues, count: 1)
            try await awaitCondition("the 429") {
                try await step(.milliseconds(50))
                return sim.counters().apiRequests(path: APIPath.routingQueues, status: 429) == 1
            }
            try await awaitCondition("the 429 handled") { clock.sleeperCount == 4 }
            let atLimit = sim.counters()
            let limitedAt = clock.elapsed
            // 1.9 s of virtual time in 100 ms steps: the others keep polling, the queues collector waits.
            for _ in 0..<19 { try await step(.milliseconds(100)) }
            try await awaitCondition("the loops asleep again") { clock.sleeperCount == 4 }
            let during = sim.counters()
            #expect(
                during.apiRequests(path: APIPath.routingQueues) == atLimit.apiRequests(path: APIPath.routingQueues),
                "no queue listing within Retry-After")
            #expect(
                during.apiRequests(path: APIPath.tokensMe) - atLimit.apiRequests(path: APIPath.tokensMe) >= 5,
                "identity kept polling")
            #expect(
                during.apiRequests(path: APIPath.queueObservations)
                    - atLimit.apiRequests(path: APIPath.queueObservations) >= 5,
                "observations kept polling")
            try await step(.milliseconds(100))
            try await awaitCondition("the next queue listing") {
                sim.counters().apiRequests(path: APIPath.routingQueues)
                    > atLimit.apiRequests(path: APIPath.routingQueues)
            }
            print(
                "next /api/v2/routing/queues request \(clock.elapsed - limitedAt) of virtual time after the 429 with Retry-After: 2"
            )
            let scrape = try await exporter.scrape(until: "queues recovered") { $0.collectorUp("queues") == 1 }
            #expect(
                scrape.value(
                    "genesys_api_failures_total", ["endpoint": APIPath.routingQueues, "reason": "rate_limited"]) == 1)
            #expect(
                scrape.value("genesys_api_requests_total", ["endpoint": APIPath.routingQueues, "code": "429"]) == 1)
        }
    }

    struct FaultCase: Sendable, CustomTestStringConvertible {
        let fault: SimulatorFault
        let path: String
        let collector: String
        let reason: String
        /// Short only where the fault is a hang, so the other collectors' requests have room on a loaded machine.
        var requestTimeout: Duration { fault == .hang ? .seconds(1) : .seconds(5) }

        var testDescription: String { "\(fault) on \(path) → \(reason)" }
    }

    /// Each fault downs the collector that hit it and is counted by reason; the exporter keeps serving
    /// and the collector comes back once the fault is gone.
    @Test(arguments: [
        FaultCase(
            fault: .malformedBody, path: APIPath.routingQueues, collector: "queues", reason: "malformed_response"),
        FaultCase(fault: .hang, path: APIPath.organizationsMe, collector: "identity", reason: "timeout"),
        FaultCase(
            fault: .status(503), path: APIPath.queueObservations, collector: "observations", reason: "server_error"),
        FaultCase(fault: .status(500), path: APIPath.tokensMe, collector: "identity", reason: "server_error"),
        FaultCase(fault: .connectionReset, path: APIPath.routingQueues, collector: "queues", reason: "network"),
    ])
    func test_faultyEndpoint_isCountedByReason_downsItsCollector_andRecovers(_ faultCase: FaultCase) async throws {
        // A 1 s cap on the failure backoff: however long a loaded machine takes to see the failure, the
        // collector retries within a second of the fault clearing.
        let settings: (GenesysSimulator) throws -> OrgSettings = { sim in
            var settings = try sim.orgSettings(requestTimeout: faultCase.requestTimeout)
            settings.failureBackoffCap = .seconds(1)
            return settings
        }
        try await withExporter(settings: settings) { sim, exporter in
            _ = try await exporter.scrape(until: "\(faultCase.collector) polled") {
                $0.collectorUp(faultCase.collector) == 1
            }
            sim.inject(faultCase.fault, path: faultCase.path)
            // The others may miss a poll on a loaded machine (the timeout is short), so await them rather than sample once.
            let others = ["identity", "queues", "observations"].filter { $0 != faultCase.collector }
            let failing = try await exporter.scrape(
                until: "a \(faultCase.reason) failure downing only \(faultCase.collector)"
            ) { scrape in
                scrape.collectorUp(faultCase.collector) == 0 && others.allSatisfy { scrape.collectorUp($0) == 1 }
                    && scrape.sum(
                        "genesys_api_failures_total", ["endpoint": faultCase.path, "reason": faultCase.reason]) >= 1
            }
            #expect(
                failing.value("genesys_routing_queues") == 40, "the exporter keeps serving the other collectors' values"
            )
            #expect(try await exporter.get("/metrics").status == 200)
            sim.clearFaults()
            _ = try await exporter.scrape(until: "\(faultCase.collector) back up") {
                $0.collectorUp(faultCase.collector) == 1
            }
        }
    }
}
