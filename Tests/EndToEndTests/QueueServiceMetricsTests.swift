import GenesysBaseTestSupport
import GenesysSimulator
import GenesysTestSupport
import SimulatorTestSupport
import Synchronization
import Testing

/// The queue service collectors against the simulator's event-time model, in virtual time: the exporter and the
/// simulator share a manual clock, so twenty one-minute polls take milliseconds and every window is exact.
@Suite("Queue service metrics: aggregates windows, agents, oldest waiting, estimated wait")
struct QueueServiceMetricsTests {
    static let counters: [(name: String, truth: @Sendable (SimulatedAggregate) -> Double)] = [
        ("genesys_queue_offered_total", { Double($0.offered) }),
        ("genesys_queue_answered_total", { Double($0.answered) }),
        ("genesys_queue_abandoned_total", { Double($0.abandoned) }),
        ("genesys_queue_short_abandoned_total", { Double($0.shortAbandoned) }),
        ("genesys_queue_over_sla_total", { Double($0.overSla) }),
        ("genesys_queue_handled_total", { Double($0.handled) }),
        ("genesys_queue_answer_seconds_total", { Double($0.answerMillis) / 1000 }),
        ("genesys_queue_handle_seconds_total", { Double($0.handleMillis) / 1000 }),
        ("genesys_queue_wait_seconds_total", { Double($0.waitMillis) / 1000 }),
    ]

    /// One exporter run of `polls` one-minute polls of the queue_performance collector; returns the span it counted
    /// (Unix milliseconds) and its last scrape.
    /// The queue listing and today's service level keep their defaults here (5 minutes each).
    static func run(
        _ sim: GenesysSimulator, clock: ManualClock, polls: Int, lag: String = "2m", options: [String: String] = [:]
    ) async throws -> (from: Int64, to: Int64, scrape: Exposition) {
        var settings = try sim.orgSettings(pollInterval: .seconds(60), collectors: ["queues", "queue_performance"])
        settings.collectorOptions = ["queue_performance": options.merging(["lag": lag]) { $1 }]
        let exporter = try await RunningExporter(settings, clock: clock)
        do {
            let result = try await poll(exporter, clock: clock, polls: polls)
            await exporter.stop()
            return result
        } catch {
            await exporter.stop()
            throw error
        }
    }

    private static func poll(
        _ exporter: RunningExporter, clock: ManualClock, polls: Int
    ) async throws -> (from: Int64, to: Int64, scrape: Exposition) {
        func windowEnd(_ scrape: Exposition) -> Double? {
            scrape.value("genesys_queue_performance_window_end_timestamp_seconds")
        }
        var scrape = try await exporter.scrape(until: "the first poll") { (windowEnd($0) ?? 0) > 0 }
        let from = Int64(windowEnd(scrape)! * 1000)
        for poll in 1...polls {
            let before = windowEnd(scrape)!
            // The token loop and both collectors asleep: no poll in flight when time jumps past the next one.
            try await awaitCondition("every loop asleep before poll \(poll)") { clock.sleeperCount == 3 }
            clock.advance(by: .seconds(70))
            scrape = try await exporter.scrape(until: "poll \(poll) counted") { (windowEnd($0) ?? 0) > before }
        }
        return (from, Int64(windowEnd(scrape)! * 1000), scrape)
    }

    static func expectCountersMatch(
        _ sim: GenesysSimulator, _ scrape: Exposition, from: Int64, to: Int64, queues: [SimulatedQueue]
    ) {
        var nonZero = 0
        for queue in queues {
            for media in ObservationMetricsTests.mediaTypes {
                guard
                    let truth = sim.aggregateTotals(
                        queueID: queue.id, mediaType: media, fromUnixMillis: from, toUnixMillis: to)
                else { continue }
                let labels = ["queue_id": queue.id, "queue_name": queue.name, "media_type": media]
                for counter in counters {
                    let expected = counter.truth(truth)
                    let exported = scrape.value(counter.name, labels) ?? 0
                    #expect(
                        abs(exported - expected) <= 1e-6 * max(1, expected),
                        "\(counter.name) \(media) \(queue.name): \(exported) exported, \(expected) happened")
                    if expected > 0 { nonZero += 1 }
                }
            }
        }
        #expect(nonZero > 0, "the span had traffic")
    }

    @Test func test_windows_neverOverlapNorLeaveGaps_acrossTwentyPollsAndARestart() async throws {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration(queueCount: 12).judgingTime(by: clock)
        configuration.wallNow = { clock.unixNow }
        try await withSimulator(configuration) { sim in
            let first = try await Self.run(sim, clock: clock, polls: 20)
            #expect(first.to - first.from >= 20 * 60_000, "twenty polls counted at least twenty minutes")
            Self.expectCountersMatch(sim, first.scrape, from: first.from, to: first.to, queues: sim.queues())
            // A restart counts from its own start: nothing before it is replayed.
            clock.advance(by: .seconds(30))
            let second = try await Self.run(sim, clock: clock, polls: 5)
            #expect(second.from >= first.to, "the restarted exporter does not replay the first one's span")
            Self.expectCountersMatch(sim, second.scrape, from: second.from, to: second.to, queues: sim.queues())
        }
    }

    /// The conversation counters (`conversation-metrics`): each simulator metric's count family and, for a timer,
    /// its seconds family.
    static let conversationCounters: [String: (count: String, seconds: String?)] = [
        "nTransferred": ("genesys_queue_transferred_total", nil),
        "nBlindTransferred": ("genesys_queue_blind_transferred_total", nil),
        "nConsultTransferred": ("genesys_queue_consult_transferred_total", nil),
        "nConsult": ("genesys_queue_consults_total", nil),
        "tHeld": ("genesys_queue_held_total", "genesys_queue_hold_seconds_total"),
        "tAcw": ("genesys_queue_after_call_work_total", "genesys_queue_after_call_work_seconds_total"),
        "tTalk": ("genesys_queue_talks_total", "genesys_queue_talk_seconds_total"),
        "tAlert": ("genesys_queue_alerts_total", "genesys_queue_alert_seconds_total"),
        "tNotResponding": ("genesys_queue_not_responding_total", "genesys_queue_not_responding_seconds_total"),
        "tFlowOut": ("genesys_queue_flow_outs_total", "genesys_queue_flow_out_seconds_total"),
        "tVoicemail": ("genesys_queue_voicemails_total", "genesys_queue_voicemail_seconds_total"),
        "nError": ("genesys_queue_errors_total", nil),
        "nCallbackScheduled": ("genesys_queue_callbacks_scheduled_total", nil),
        "nCallbackAttempts": ("genesys_queue_callback_attempts_total", nil),
        "nOutbound": ("genesys_queue_outbound_total", nil),
        "nOutboundAttempted": ("genesys_queue_outbound_attempted_total", nil),
        "nOutboundConnected": ("genesys_queue_outbound_connected_total", nil),
        "nOutboundAbandoned": ("genesys_queue_outbound_abandoned_total", nil),
        "nBotInteractions": ("genesys_queue_bot_interactions_total", nil),
    ]

    /// Every conversation counter in both directions equals the simulator's total over the span: its own direction
    /// carries the metric's events, the other stays at 0.
    static func expectConversationCountersMatch(
        _ sim: GenesysSimulator, _ scrape: Exposition, from: Int64, to: Int64, queues: [SimulatedQueue]
    ) {
        var nonZero: Set<String> = []
        var checked = 0
        for queue in queues {
            for media in ObservationMetricsTests.mediaTypes {
                guard
                    sim.aggregateTotals(queueID: queue.id, mediaType: media, fromUnixMillis: from, toUnixMillis: to)
                        != nil
                else { continue }
                for (metric, direction) in GenesysSimulator.conversationMetrics {
                    guard let families = conversationCounters[metric],
                        let truth = sim.conversationMetricTotals(
                            metric, queueID: queue.id, mediaType: media, fromUnixMillis: from, toUnixMillis: to)
                    else {
                        Issue.record("\(metric) has no family or no truth")
                        continue
                    }
                    for side in ["inbound", "outbound"] {
                        let labels = [
                            "queue_id": queue.id, "queue_name": queue.name, "media_type": media, "direction": side,
                        ]
                        let expected = side == direction ? truth : (count: 0, sumMillis: 0)
                        let count = scrape.value(families.count, labels)
                        #expect(count == Double(expected.count), "\(families.count) \(side) \(media) \(queue.name)")
                        if let seconds = families.seconds {
                            let exported = scrape.value(seconds, labels)
                            let wanted = Double(expected.sumMillis) / 1000
                            #expect(
                                exported.map { abs($0 - wanted) <= 1e-6 * max(1, wanted) } == true,
                                "\(seconds) \(side) \(media) \(queue.name): \(exported ?? -1) exported, \(wanted)")
                        }
                        checked += 1
                        if expected.count > 0 { nonZero.insert(metric) }
                    }
                }
            }
        }
        #expect(checked > 0)
        // Over ten minutes of six queues, every metric the model gives a share above zero had events.
        #expect(nonZero.count >= conversationCounters.count - 2, "metrics with events: \(nonZero.sorted())")
    }

    @Test func test_conversationCounters_byDirection_addUpToTheSimulatorsTotals_acrossPollsAndARestart()
        async throws
    {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration(queueCount: 6).judgingTime(by: clock)
        configuration.wallNow = { clock.unixNow }
        try await withSimulator(configuration) { sim in
            let options = ["conversation-metrics": "all"]
            let first = try await Self.run(sim, clock: clock, polls: 10, options: options)
            // Grouping by direction leaves the service counters as they were.
            Self.expectCountersMatch(sim, first.scrape, from: first.from, to: first.to, queues: sim.queues())
            Self.expectConversationCountersMatch(
                sim, first.scrape, from: first.from, to: first.to, queues: sim.queues())
            for family in Self.counters.map(\.name) {
                #expect(first.scrape.samples(family).allSatisfy { $0.labels["direction"] == nil }, "\(family)")
            }
            clock.advance(by: .seconds(30))
            let second = try await Self.run(sim, clock: clock, polls: 3, options: ["conversation-metrics": "transfers"])
            #expect(second.from >= first.to, "the restarted exporter does not replay the first one's span")
            #expect(second.scrape.samples("genesys_queue_transferred_total").count > 0)
            #expect(second.scrape.samples("genesys_queue_held_total").isEmpty, "only the groups asked for")
        }
    }

    /// Handled counts by wrap-up code, capped at three codes: the three admitted ones equal the simulator's counts
    /// exactly, `other` holds the rest, and each queue's series add up to everything it handled.
    @Test func test_wrapupCodes_cappedWithTheRestAsOther_addUpToTheSimulatorsHandled() async throws {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration(queueCount: 12).judgingTime(by: clock)
        configuration.wallNow = { clock.unixNow }
        try await withSimulator(configuration) { sim in
            let run = try await Self.run(sim, clock: clock, polls: 8, options: ["wrapup-codes": "3"])
            let family = "genesys_queue_wrapup_handled_total"
            let samples = run.scrape.samples(family)
            let admitted = Set(samples.compactMap { $0.labels["wrapup_code_id"] }).subtracting(["other", "none"])
            #expect(admitted.count == 3, "admitted \(admitted.sorted())")
            let names = Dictionary(uniqueKeysWithValues: GenesysSimulator.wrapupCodes.map { ($0.id, $0.name) })
            for sample in samples where admitted.contains(sample.labels["wrapup_code_id"] ?? "") {
                #expect(sample.labels["wrapup_code_name"] == names[sample.labels["wrapup_code_id"] ?? ""])
            }
            var otherSeen = 0.0
            for queue in sim.queues() {
                let truth = try #require(
                    sim.wrapupHandled(queueID: queue.id, fromUnixMillis: run.from, toUnixMillis: run.to))
                let exported = run.scrape.samples(family, ["queue_id": queue.id])
                #expect(exported.count <= 4, "\(queue.name): three codes and other")
                #expect(
                    exported.reduce(0) { $0 + $1.value } == Double(truth.values.reduce(0, +)),
                    "\(queue.name): every handled conversation once")
                for code in admitted {
                    #expect(
                        run.scrape.value(family, ["queue_id": queue.id, "wrapup_code_id": code]) ?? 0
                            == Double(truth[code] ?? 0), "\(queue.name) \(names[code] ?? code)")
                }
                otherSeen += run.scrape.value(family, ["queue_id": queue.id, "wrapup_code_id": "other"]) ?? 0
            }
            #expect(otherSeen > 0, "codes past the cap were counted as other")
            #expect(sim.requestLog().contains { $0.path == "/api/v2/routing/wrapupcodes" })
        }
    }

    /// Seven one-minute polls (70 s apart in virtual time) query a window at each poll after the first, but list the
    /// queues and ask for today's service level only at the first poll and once the 5-minute default has passed (at
    /// 350 s). At the first poll queue_performance may list the queues itself (the queues collector has not published
    /// its selection yet): 2 or 3 listings, where listing at every poll would be 8 or more.
    @Test func test_queueListingAndTodaysServiceLevel_areAskedEveryFiveMinutes_whileWindowsFollowEveryPoll()
        async throws
    {
        let clock = ManualClock()
        let asked = Mutex<(listings: Int, serviceLevels: Int, windows: Int)>((0, 0, 0))
        var configuration = SimulatorConfiguration(queueCount: 4).judgingTime(by: clock)
        configuration.wallNow = { clock.unixNow }
        configuration.requestObserver = { request in
            let body = String(decoding: request.body, as: UTF8.self)
            asked.withLock { asked in
                if request.path == "/api/v2/routing/queues" { asked.listings += 1 }
                if body.contains("oServiceLevel") { asked.serviceLevels += 1 }
                if body.contains("nOffered") { asked.windows += 1 }
            }
        }
        try await withSimulator(configuration) { sim in
            let run = try await Self.run(sim, clock: clock, polls: 6)
            let counts = asked.withLock { $0 }
            #expect(counts.windows == 6, "a window query at every poll after the first")
            #expect((2...3).contains(counts.listings), "the queues listed at 0 s and 350 s")
            #expect(counts.serviceLevels == 2, "today's service level asked at 0 s and 350 s")
            #expect(!run.scrape.samples("genesys_queue_service_level_ratio").isEmpty, "kept between the asks")
            #expect(!run.scrape.samples("genesys_queue_members").isEmpty, "kept between the listings")
        }
    }

    @Test func test_lagAtLeastTheSettleDelay_countsEverything_andAShorterOneMissesLateEvents() async throws {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration(queueCount: 6).judgingTime(by: clock)
        configuration.wallNow = { clock.unixNow }
        try await withSimulator(configuration) { sim in
            sim.setAggregateSettleDelay(.seconds(90))
            let settled = try await Self.run(sim, clock: clock, polls: 6, lag: "2m")
            Self.expectCountersMatch(sim, settled.scrape, from: settled.from, to: settled.to, queues: sim.queues())

            let hasty = try await Self.run(sim, clock: clock, polls: 6, lag: "0s")
            var exported = 0.0
            var happened = 0.0
            for queue in sim.queues() {
                for media in ObservationMetricsTests.mediaTypes {
                    exported +=
                        hasty.scrape.value(
                            "genesys_queue_offered_total", ["queue_id": queue.id, "media_type": media]) ?? 0
                    happened += Double(
                        sim.aggregateTotals(
                            queueID: queue.id, mediaType: media, fromUnixMillis: hasty.from, toUnixMillis: hasty.to)?
                            .offered ?? 0)
                }
            }
            #expect(exported < happened, "events that arrive after their window was asked for are not counted")
        }
    }

    @Test func test_firstPoll_countsNothing_butCreatesTheSeriesOfTodaysTrafficAtZero() async throws {
        try await withExporter(
            SimulatorConfiguration(queueCount: 8),
            settings: { try $0.orgSettings(pollInterval: .seconds(3600), collectors: ["queues", "queue_performance"]) }
        ) { _, exporter in
            let scrape = try await exporter.scrape(until: "the first poll") { $0.collectorUp("queue_performance") == 1 }
            for counter in Self.counters {
                #expect(!scrape.samples(counter.name).isEmpty, "\(counter.name) exists from the first poll")
                #expect(scrape.sum(counter.name) == 0, "\(counter.name): no history replayed")
            }
            #expect(scrape.types["genesys_queue_offered_total"] == "counter")
        }
    }

    @Test func test_serviceLevelToday_isGenesysOwnFigure_withItsTarget() async throws {
        try await withExporter(
            SimulatorConfiguration(queueCount: 8),
            settings: { try $0.orgSettings(collectors: ["queues", "queue_performance"]) }
        ) { sim, exporter in
            let scrape = try await exporter.scrape(until: "service level") {
                !$0.samples("genesys_queue_service_level_ratio").isEmpty
            }
            for sample in scrape.samples("genesys_queue_service_level_target_ratio") {
                let queueID = try #require(sample.labels["queue_id"])
                #expect(sample.value == sim.serviceTarget(queueID: queueID))
            }
            for sample in scrape.samples("genesys_queue_service_level_ratio") {
                #expect((0...1).contains(sample.value))
            }
            #expect(scrape.collectorUp("queue_performance") == 1)
        }
    }

    @Test func test_agentsByStatusAndPresence_andOldestWaiting_matchTheSimulator() async throws {
        try await withExporter(
            SimulatorConfiguration(queueCount: 130, movingObservations: false),
            settings: { try $0.orgSettings(collectors: ["queues", "observations"]) }
        ) { sim, exporter in
            let scrape = try await exporter.scrape(until: "observations") { $0.collectorUp("observations") == 1 }
            var oldestCompared = 0
            for queue in sim.queues() {
                let labels = ["queue_id": queue.id]
                for (status, count) in sim.routingStatusCounts(queueID: queue.id) {
                    #expect(
                        scrape.value("genesys_queue_agents", labels.merging(["routing_status": status]) { $1 })
                            == Double(count), "\(status) in \(queue.name)")
                }
                #expect(scrape.samples("genesys_queue_agents", labels).count == 5, "every status, 0 included")
                for (presence, count) in sim.systemPresenceCounts(queueID: queue.id) {
                    #expect(
                        scrape.value("genesys_queue_agents_presence", labels.merging(["presence": presence]) { $1 })
                            == Double(count), "\(presence) in \(queue.name)")
                }
                for media in ObservationMetricsTests.mediaTypes {
                    let mediaLabels = labels.merging(["media_type": media]) { $1 }
                    #expect(
                        scrape.value("genesys_queue_conversations_alerting", mediaLabels)
                            == Double(sim.alerting(queueID: queue.id, mediaType: media)))
                    let exported = scrape.value("genesys_queue_oldest_waiting_timestamp_seconds", mediaLabels)
                    if let oldest = sim.oldestWaiting(queueID: queue.id, mediaType: media) {
                        #expect(abs((exported ?? 0) - oldest) < 0.001, "oldest \(media) in \(queue.name)")
                        oldestCompared += 1
                    } else {
                        #expect(exported == nil, "nothing waits, so no series")
                    }
                }
            }
            #expect(oldestCompared > 0)
            #expect(scrape.sum("genesys_queue_agents", ["routing_status": "IDLE"]) > 0)
        }
    }

    @Test func test_estimatedWait_onlyForSelectedQueues_oneRequestPerQueueAndMediaType() async throws {
        try await withExporter(
            SimulatorConfiguration(queueCount: 40),
            settings: {
                var settings = try $0.orgSettings(collectors: ["queues", "estimated_wait"], nameFilter: "Support.*")
                settings.collectorOptions = ["estimated_wait": ["media-types": "voice,chat"]]
                return settings
            }
        ) { sim, exporter in
            let scrape = try await exporter.scrape(until: "estimated wait") { $0.collectorUp("estimated_wait") == 1 }
            let selected = sim.queues().filter { $0.name.hasPrefix("Support") }
            #expect(!selected.isEmpty && selected.count < sim.queues().count)
            let series = scrape.samples("genesys_queue_estimated_wait_seconds")
            #expect(Set(series.compactMap { $0.labels["queue_id"] }) == Set(selected.map(\.id)))
            for sample in series {
                let queueID = try #require(sample.labels["queue_id"])
                let media = try #require(sample.labels["media_type"])
                #expect(sample.value == sim.estimatedWait(queueID: queueID, mediaType: media).map(Double.init))
            }
            let requests = sim.requestLog().filter { $0.path.hasSuffix("/estimatedwaittime") }
            #expect(requests.count >= selected.count * 2)
            #expect(requests.count % (selected.count * 2) == 0, "whole polls of one request per queue and media type")
        }
    }

    @Test func test_forbiddenAggregates_stopOnlyThatCollector() async throws {
        try await withExporter(
            SimulatorConfiguration(queueCount: 5),
            settings: { try $0.orgSettings(collectors: ["queues", "observations", "queue_performance"]) }
        ) { sim, exporter in
            sim.setMissingPermissions(["analytics:conversationAggregate:view"])
            let scrape = try await exporter.scrape(until: "the 403 counted") {
                $0.value(
                    "genesys_api_failures_total", ["endpoint": APIPath.conversationAggregates, "reason": "forbidden"])
                    ?? 0 > 0 && $0.collectorUp("observations") == 1 && $0.collectorUp("queues") == 1
            }
            #expect(scrape.collectorUp("queue_performance") == 0)
            #expect(scrape.value("genesys_up") == 1)
        }
    }

    @Test func test_forbiddenEstimatedWait_stopsOnlyThatCollector() async throws {
        try await withExporter(
            SimulatorConfiguration(queueCount: 5),
            settings: { try $0.orgSettings(collectors: ["queues", "observations", "estimated_wait"]) }
        ) { sim, exporter in
            let template = "/api/v2/routing/queues/{queueId}/mediatypes/{mediaType}/estimatedwaittime"
            sim.inject(.status(403), path: template)
            let scrape = try await exporter.scrape(until: "the 403 counted") {
                $0.value("genesys_api_failures_total", ["endpoint": template, "reason": "forbidden"]) ?? 0 > 0
                    && $0.collectorUp("observations") == 1 && $0.collectorUp("queues") == 1
            }
            #expect(scrape.collectorUp("estimated_wait") == 0)
            #expect(scrape.samples("genesys_queue_estimated_wait_seconds").isEmpty)
        }
    }
}
