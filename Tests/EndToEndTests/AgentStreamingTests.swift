import GenesysBaseTestSupport
import GenesysExporter
import GenesysSimulator
import GenesysTestSupport
import SimulatorTestSupport
import Testing

/// The agents collector in stream mode against the simulator's user topics over real WebSockets, the exporter's clock
/// manual: a user's new routing status or presence reaches the division counts with no observations query, the
/// org's one stream carries queue and user topics together, and more users than the channels carry poll instead.
@Suite("Agents streamed over notification channels")
struct AgentStreamingTests {
    /// An exporter polling every minute of the manual clock, with `collectors` and agents in stream mode.
    static func withStreamingAgents<T>(
        users: Int = 6, queues: Int = 0, collectors: Set<String> = ["agents"], options: [String: String] = [:],
        _ body: (GenesysSimulator, RunningExporter, ManualClock) async throws -> T
    ) async throws -> T {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration(
            queueCount: queues, flowCount: 0, actionCount: 0, userCount: users, movingObservations: false)
        configuration.wallNow = { clock.unixNow }
        return try await withExporter(
            configuration.judgingTime(by: clock), clock: clock,
            settings: { sim in
                var settings = try sim.orgSettings(pollInterval: .seconds(60), collectors: collectors)
                settings.collectorOptions["agents", default: [:]].merge(["mode": "stream"].merging(options) { $1 }) {
                    $1
                }
                if collectors.contains("observations") {
                    settings.collectorOptions["observations"] = ["mode": "stream"]
                }
                return settings
            }
        ) { sim, exporter in try await body(sim, exporter, clock) }
    }

    /// Waits for the stream to stream, moving the manual clock on if it is slow to (see `scrape(until:movingOn:)`).
    static func streaming(_ exporter: RunningExporter, _ clock: ManualClock) async throws -> Exposition {
        try await exporter.scrape(until: "the stream streaming", movingOn: clock) {
            $0.value("genesys_notification_stream_state", ["state": "streaming"]) == 1 && $0.collectorUp("agents") == 1
        }
    }

    /// Pins user `index`'s observed routing status or presence id, keeping the other as the model has it now (the
    /// simulator pins both or neither).
    static func pin(
        _ sim: GenesysSimulator, _ clock: ManualClock, index: Int, status: String? = nil, presenceID: String? = nil
    ) {
        let now = sim.userState(index: index, atUnixMillis: Int64(clock.unixNow * 1000))
        sim.setObservedUserQualifiers(
            index: index, routingStatus: status ?? now.routingStatus,
            presenceID: presenceID ?? now.organizationPresenceID)
    }

    /// The users of division `index` (user `i` is in division `i % 3`).
    static func members(_ sim: GenesysSimulator, division index: Int) -> [Int] {
        sim.users().indices.filter { $0 % sim.divisions().count == index }
    }

    @Test func test_routingStatusChange_reachesTheDivisionCounts_overTheSocket_withoutAQuery() async throws {
        try await Self.withStreamingAgents { sim, exporter, clock in
            var scrape = try await Self.streaming(exporter, clock)
            #expect(scrape.value("genesys_notification_topics_subscribed") == 12, "two topics per user")
            let division = sim.divisions()[1]
            let members = Self.members(sim, division: 1)
            let queries = sim.counters().apiRequests(path: APIPath.userObservations)
            for index in members {
                Self.pin(sim, clock, index: index, status: "NOT_RESPONDING")
            }
            let labels = ["division_id": division.id, "routing_status": "NOT_RESPONDING"]
            // Publications are at most once a second of the exporter's clock: move it on while waiting.
            scrape = try await exporter.scrape(until: "the streamed status", timeout: .seconds(10)) { scrape in
                clock.advance(by: .seconds(1))
                return scrape.value("genesys_agents_by_routing_status", labels) == Double(members.count)
            }
            #expect(sim.counters().apiRequests(path: APIPath.userObservations) == queries, "no query brought it")
            #expect((scrape.value("genesys_notification_apply_delay_seconds_count") ?? 0) >= 1)
            let total = Self.routingStatuses.reduce(0.0) { sum, status in
                sum
                    + (scrape.value(
                        "genesys_agents_by_routing_status", ["division_id": division.id, "routing_status": status]) ?? 0)
            }
            #expect(total == Double(members.count), "each member counted once")
        }
    }

    static let routingStatuses = ["IDLE", "INTERACTING", "COMMUNICATING", "NOT_RESPONDING", "OFF_QUEUE"]

    @Test func test_presenceChange_isMappedToItsSystemPresence() async throws {
        try await Self.withStreamingAgents { sim, exporter, clock in
            _ = try await Self.streaming(exporter, clock)
            let division = sim.divisions()[0]
            let members = Self.members(sim, division: 0)
            let mealID = try #require(GenesysSimulator.systemToOrganizationMappings["MEAL"]?.first)
            for index in members { Self.pin(sim, clock, index: index, presenceID: mealID) }
            let labels = ["division_id": division.id, "presence": "MEAL"]
            let scrape = try await exporter.scrape(until: "the streamed presence", timeout: .seconds(10)) { scrape in
                clock.advance(by: .seconds(1))
                return scrape.value("genesys_agents_by_presence", labels) == Double(members.count)
            }
            #expect(
                scrape.value("genesys_agents_by_presence", ["division_id": division.id, "presence": "UNKNOWN"]) == nil)
        }
    }

    /// Queue and user topics share the org's one channel; each collector takes its own messages.
    @Test func test_observationsAndAgents_shareTheOrgsChannel() async throws {
        try await Self.withStreamingAgents(
            users: 3, queues: 2, collectors: ["queues", "observations", "agents"]
        ) { sim, exporter, clock in
            var scrape = try await exporter.scrape(until: "both streaming") {
                $0.value("genesys_notification_stream_state", ["state": "streaming"]) == 1
                    && $0.value("genesys_notification_topics_subscribed") == 8
            }
            #expect(scrape.value("genesys_notification_channels_connected") == 1)
            let queue = sim.queues()[0]
            sim.setObservationOverride(queueID: queue.id, mediaType: "voice", metric: "oWaiting", value: 9)
            Self.pin(sim, clock, index: 0, status: "COMMUNICATING")
            let division = sim.divisions()[0]
            scrape = try await exporter.scrape(until: "both values streamed", timeout: .seconds(10)) { scrape in
                clock.advance(by: .seconds(1))
                return scrape.value(
                    "genesys_queue_conversations_waiting", ["queue_id": queue.id, "media_type": "voice"]) == 9
                    && scrape.value(
                        "genesys_agents_by_routing_status",
                        ["division_id": division.id, "routing_status": "COMMUNICATING"]) == 1
            }
            #expect(sim.notificationChannels().count == 1, "one channel for the org")
        }
    }

    /// More users than the channels carry: the stream falls back (counted with its reason) and the observations
    /// query runs at every poll.
    @Test func test_moreUsersThanTheChannelsCarry_pollInstead() async throws {
        try await Self.withStreamingAgents(users: 501, options: ["max-channels": "1"]) { sim, exporter, clock in
            _ = try await exporter.scrape(until: "the fallback", movingOn: clock) {
                $0.value("genesys_notification_fallbacks_total", ["reason": "too_many_topics"]) == 1
                    && $0.value("genesys_notification_stream_state", ["state": "fallback"]) == 1
            }
            let queries = sim.counters().apiRequests(path: APIPath.userObservations)
            // The poll loop may not be asleep yet when the clock moves: move it until the next poll has queried.
            for _ in 0..<20 where sim.counters().apiRequests(path: APIPath.userObservations) == queries {
                clock.advance(by: .seconds(61))
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(sim.counters().apiRequests(path: APIPath.userObservations) > queries, "the next poll queried")
        }
    }
}
