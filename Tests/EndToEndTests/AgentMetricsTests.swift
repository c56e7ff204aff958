import GenesysBaseTestSupport
import GenesysExporter
import GenesysSimulator
import GenesysTestSupport
import SimulatorTestSupport
import Testing

/// The agents collector against the simulator's users in virtual time: counts per division equal the simulator's
/// states at the poll, the time-in-status counters' polled windows add up to the simulator's totals across a restart
/// and an outage, values Genesys may add are UNKNOWN, per-agent series are capped; queues carry their division.
@Suite("Agent metrics: users per division, status counts and time in status")
struct AgentMetricsTests {
    static let aggregatesPath = "/api/v2/analytics/users/aggregates/query"
    static let routingStatuses = ["IDLE", "INTERACTING", "COMMUNICATING", "NOT_RESPONDING", "OFF_QUEUE"]
    static let presences = [
        "AVAILABLE", "AWAY", "BUSY", "BREAK", "MEAL", "MEETING", "TRAINING", "ON_QUEUE", "OFFLINE", "IDLE",
    ]

    static func windowEnd(_ scrape: Exposition) -> Double? {
        scrape.value("genesys_agents_window_end_timestamp_seconds")
    }

    static func configuration(_ clock: ManualClock, users: Int) -> SimulatorConfiguration {
        var configuration = SimulatorConfiguration(queueCount: 0, flowCount: 0, actionCount: 0, userCount: users)
            .judgingTime(by: clock)
        configuration.wallNow = { clock.unixNow }
        return configuration
    }

    static func settings(_ sim: GenesysSimulator, options: [String: String] = [:]) throws -> OrgSettings {
        var settings = try sim.orgSettings(pollInterval: .seconds(60), collectors: ["agents"])
        settings.collectorOptions["agents", default: [:]].merge(options) { _, new in new }
        return settings
    }

    /// One exporter run of `polls` one-minute polls; the polls in `outage` are refused (403, the aggregates
    /// permission missing). Returns the span counted (Unix milliseconds) and the last scrape.
    static func run(
        _ sim: GenesysSimulator, clock: ManualClock, polls: Int, outage: ClosedRange<Int>? = nil
    ) async throws -> (from: Int64, to: Int64, scrape: Exposition) {
        let exporter = try await RunningExporter(try settings(sim), clock: clock)
        do {
            var scrape = try await exporter.scrape(until: "the first poll") { (windowEnd($0) ?? 0) > 0 }
            let from = Int64(windowEnd(scrape)! * 1000)
            for poll in 1...polls {
                let before = windowEnd(scrape)!
                let refused = outage?.contains(poll) ?? false
                let failuresBefore = failures(scrape)
                sim.setMissingPermissions(refused ? ["analytics:userAggregate:view"] : [])
                // The token loop and the collector asleep: no poll in flight when time jumps past the next one.
                try await awaitCondition("every loop asleep before poll \(poll)") { clock.sleeperCount == 2 }
                clock.advance(by: .seconds(70))
                if refused {
                    scrape = try await exporter.scrape(until: "poll \(poll) refused") {
                        failures($0) >= failuresBefore + 1
                    }
                    #expect(windowEnd(scrape) == before, "a refused poll counts no window")
                } else {
                    scrape = try await exporter.scrape(until: "poll \(poll) counted") { (windowEnd($0) ?? 0) > before }
                }
            }
            await exporter.stop()
            return (from, Int64(windowEnd(scrape)! * 1000), scrape)
        } catch {
            await exporter.stop()
            throw error
        }
    }

    static func failures(_ scrape: Exposition) -> Double {
        scrape.value("genesys_api_failures_total", ["endpoint": aggregatesPath, "reason": "forbidden"]) ?? 0
    }

    /// Every division's time per status and presence over `[from, to)` equals the sum of its users' totals.
    static func expectCountersMatch(_ sim: GenesysSimulator, _ scrape: Exposition, from: Int64, to: Int64) {
        var statusTruth: [String: [String: Int64]] = [:]
        var presenceTruth: [String: [String: Int64]] = [:]
        for user in sim.users() {
            let times = sim.userTotals(userID: user.id, fromUnixMillis: from, toUnixMillis: to)!
            for (status, millis) in times.routingStatusMillis {
                statusTruth[user.division.id, default: [:]][status, default: 0] += millis
            }
            for (presence, millis) in times.systemPresenceMillis {
                presenceTruth[user.division.id, default: [:]][presence, default: 0] += millis
            }
        }
        var nonZero = 0
        for division in sim.divisions() {
            let labels = ["division_id": division.id, "division_name": division.name]
            for status in routingStatuses {
                let expected = Double(statusTruth[division.id]?[status] ?? 0) / 1000
                let exported =
                    scrape.value(
                        "genesys_agent_routing_status_seconds_total",
                        labels.merging(["routing_status": status]) { a, _ in a })
                #expect(exported != nil, "\(division.name) \(status): a series, 0 included")
                #expect(
                    abs((exported ?? -1) - expected) <= 1e-6 * max(1, expected),
                    "\(division.name) \(status): \((exported ?? -1)) exported, \(expected) happened")
                if expected > 0 { nonZero += 1 }
            }
            for presence in presences {
                let expected = Double(presenceTruth[division.id]?[presence] ?? 0) / 1000
                let exported =
                    scrape.value(
                        "genesys_agent_presence_seconds_total", labels.merging(["presence": presence]) { a, _ in a })
                    ?? -1
                #expect(
                    abs(exported - expected) <= 1e-6 * max(1, expected),
                    "\(division.name) \(presence): \(exported) exported, \(expected) happened")
            }
        }
        #expect(nonZero > 0, "the span had time in some status")
        #expect(scrape.samples("genesys_agent_routing_status_seconds_total", ["division_id": "unknown"]).isEmpty)
    }

    @Test func test_windows_sumToTheSimulatorsTotals_acrossPollsAndARestart() async throws {
        let clock = ManualClock()
        try await withSimulator(Self.configuration(clock, users: 21)) { sim in
            let first = try await Self.run(sim, clock: clock, polls: 6)
            #expect(first.to - first.from >= 6 * 60_000, "six polls counted at least six minutes")
            Self.expectCountersMatch(sim, first.scrape, from: first.from, to: first.to)
            #expect(first.scrape.types["genesys_agent_routing_status_seconds_total"] == "counter")
            // A restart counts from its own start: nothing before it is replayed.
            clock.advance(by: .seconds(30))
            let second = try await Self.run(sim, clock: clock, polls: 3)
            #expect(second.from >= first.to, "the restarted exporter does not replay the first one's span")
            Self.expectCountersMatch(sim, second.scrape, from: second.from, to: second.to)
        }
    }

    @Test func test_anOutage_isCaughtUpByTheNextWindow_withNothingCountedTwice() async throws {
        let clock = ManualClock()
        try await withSimulator(Self.configuration(clock, users: 9)) { sim in
            let run = try await Self.run(sim, clock: clock, polls: 7, outage: 3...4)
            #expect(run.to - run.from >= 7 * 60_000, "the windows after the outage cover it")
            Self.expectCountersMatch(sim, run.scrape, from: run.from, to: run.to)
        }
    }

    /// More users than one query's predicates (the simulator's cap is 100), so both queries go in batches.
    /// Users per division, and per division the users in each routing status and system presence at `now`.
    static func stateTruth(
        _ sim: GenesysSimulator, atUnixMillis now: Int64
    ) -> (users: [String: Double], statuses: [String: [String: Double]], presences: [String: [String: Double]]) {
        var statusTruth: [String: [String: Double]] = [:]
        var presenceTruth: [String: [String: Double]] = [:]
        var usersTruth: [String: Double] = [:]
        for (index, user) in sim.users().enumerated() {
            let state = sim.userState(index: index, atUnixMillis: now)
            usersTruth[user.division.id, default: 0] += 1
            statusTruth[user.division.id, default: [:]][state.routingStatus, default: 0] += 1
            presenceTruth[user.division.id, default: [:]][state.systemPresence, default: 0] += 1
        }
        return (usersTruth, statusTruth, presenceTruth)
    }

    @Test func test_countsPerDivision_equalTheSimulatorsStates_inBatches() async throws {
        let clock = ManualClock()
        try await withExporter(
            Self.configuration(clock, users: 230), clock: clock, settings: { try Self.settings($0) }
        ) { sim, exporter in
            let scrape = try await exporter.scrape(until: "the first poll") { (Self.windowEnd($0) ?? 0) > 0 }
            let (usersTruth, statusTruth, presenceTruth) = Self.stateTruth(
                sim, atUnixMillis: Int64(clock.unixNow * 1000))
            #expect(scrape.sum("genesys_agents_users") == 230)
            #expect(scrape.sum("genesys_agents_by_routing_status") == 230, "org-wide: every user in one status")
            #expect(scrape.sum("genesys_agents_by_presence") == 230)
            #expect(scrape.samples("genesys_agents_users").count == sim.divisions().count)
            for division in sim.divisions() {
                let labels = ["division_id": division.id, "division_name": division.name]
                #expect(scrape.value("genesys_agents_users", labels) == usersTruth[division.id])
                for status in Self.routingStatuses {
                    #expect(
                        scrape.value(
                            "genesys_agents_by_routing_status", labels.merging(["routing_status": status]) { a, _ in a }
                        )
                            == statusTruth[division.id]?[status] ?? 0, "\(division.name) \(status)")
                }
                for presence in Self.presences {
                    #expect(
                        scrape.value("genesys_agents_by_presence", labels.merging(["presence": presence]) { a, _ in a })
                            == presenceTruth[division.id]?[presence] ?? 0, "\(division.name) \(presence)")
                }
            }
            #expect(scrape.samples("genesys_agent_routing_status").isEmpty, "per-agent series are opt-in")
            #expect(
                scrape.samples("genesys_agent_routing_status_seconds_total").count
                    == sim.divisions().count * Self.routingStatuses.count,
                "every division's statuses at 0 from the first poll")
            #expect(scrape.sum("genesys_agent_routing_status_seconds_total") == 0, "no history replayed")
        }
    }

    @Test func test_unknownStatusAndPresence_areUNKNOWN_andPerAgentSeriesAreCapped() async throws {
        let clock = ManualClock()
        try await withExporter(
            Self.configuration(clock, users: 12), clock: clock,
            settings: { sim in
                sim.setObservedUserQualifiers(index: 0, routingStatus: "HOLOGRAM\n", presenceID: "no-such-presence")
                sim.setObservedUserQualifiers(index: 3, routingStatus: "IDLE", presenceID: "AWAY")
                return try Self.settings(sim, options: ["per-agent-max": "5"])
            }
        ) { sim, exporter in
            let scrape = try await exporter.scrape(until: "the first poll") { (Self.windowEnd($0) ?? 0) > 0 }
            let home = sim.divisions()[0]
            let labels = ["division_id": home.id]
            #expect(
                scrape.value(
                    "genesys_agents_by_routing_status", labels.merging(["routing_status": "UNKNOWN"]) { a, _ in a })
                    == 1)
            #expect(
                scrape.value("genesys_agents_by_presence", labels.merging(["presence": "UNKNOWN"]) { a, _ in a }) == 1)
            #expect(scrape.sum("genesys_agents_by_routing_status") == 12, "nobody vanishes")
            #expect(scrape.sum("genesys_agents_by_presence") == 12)
            #expect(
                !scrape.samples("genesys_agents_by_routing_status").contains {
                    $0.labels["routing_status"] == "HOLOGRAM\n"
                })
            // A qualifier that is itself a system presence counts as one.
            let now = Int64(clock.unixNow * 1000)
            let awayTruth = sim.users().indices.filter { index in
                index == 3
                    || (index % 3 == 0 && index != 0
                        && sim.userState(index: index, atUnixMillis: now).systemPresence == "AWAY")
            }.count
            #expect(
                scrape.value("genesys_agents_by_presence", labels.merging(["presence": "AWAY"]) { a, _ in a })
                    == Double(awayTruth))
            // Per agent: five users by name, a state set each (every status, exactly one 1).
            let perAgent = scrape.samples("genesys_agent_routing_status")
            let agents = Set(perAgent.compactMap { $0.labels["user_id"] })
            let firstFive = Set(sim.users().sorted { ($0.name, $0.id) < ($1.name, $1.id) }.prefix(5).map(\.id))
            #expect(agents == firstFive)
            for agent in agents {
                let states = perAgent.filter { $0.labels["user_id"] == agent }
                #expect(states.reduce(0) { $0 + $1.value } == 1, "one current status")
                #expect(states.count >= Self.routingStatuses.count)
            }
            let unknownAgent = sim.users()[0]
            if firstFive.contains(unknownAgent.id) {
                #expect(
                    scrape.value(
                        "genesys_agent_routing_status", ["user_id": unknownAgent.id, "routing_status": "UNKNOWN"]) == 1)
            }
        }
    }

    @Test func test_queueInfo_carriesEachQueuesDivision() async throws {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration(queueCount: 7, flowCount: 0, actionCount: 0, userCount: 0)
            .judgingTime(by: clock)
        configuration.wallNow = { clock.unixNow }
        try await withExporter(
            configuration, clock: clock,
            settings: { try $0.orgSettings(pollInterval: .seconds(3600), collectors: ["queues"]) }
        ) { sim, exporter in
            let scrape = try await exporter.scrape(until: "the queue listing") {
                $0.samples("genesys_queue_info").count == 7
            }
            for (index, queue) in sim.queues().enumerated() {
                let division = sim.divisions()[index % sim.divisions().count]
                #expect(
                    scrape.value(
                        "genesys_queue_info",
                        [
                            "queue_id": queue.id, "queue_name": queue.name, "division_id": division.id,
                            "division_name": division.name,
                        ]) == 1, "\(queue.name) in \(division.name)")
            }
        }
    }
}
