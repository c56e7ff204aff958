import GenesysAuthTestSupport
import GenesysBaseTestSupport
import GenesysExporter
import GenesysSimulator
import GenesysTestSupport
import SimulatorTestSupport
import Testing

/// Stream mode against the simulator's notification service over real WebSockets, in virtual time where timing
/// matters (the exporter's clock is manual; the simulator's sockets are real): a queue change reaches /metrics with
/// no poll, and the stream falls back, renews and recovers as Genesys' channel rules require.
@Suite("Observations streamed over notification channels")
struct StreamingTests {
    static let channelsPath = "/api/v2/notifications/channels"

    /// An exporter in stream mode with only the queues and observations collectors, polling every minute of the
    /// manual clock (so a value that changes between polls came over the socket).
    static func withStreamingExporter<T>(
        queues: Int = 3, maxQueues: Int = 500, options: [String: String] = [:],
        prepare: (GenesysSimulator) -> Void = { _ in },
        _ body: (GenesysSimulator, RunningExporter, ManualClock) async throws -> T
    ) async throws -> T {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration(queueCount: queues, movingObservations: false)
        configuration.wallNow = { clock.unixNow }
        return try await withExporter(
            configuration.judgingTime(by: clock), clock: clock,
            settings: { sim in
                prepare(sim)
                var settings = try sim.orgSettings(
                    pollInterval: .seconds(60), collectors: ["queues", "observations"], maxQueues: maxQueues)
                settings.collectorOptions["observations"] = ["mode": "stream"].merging(options) { $1 }
                return settings
            }
        ) { sim, exporter in try await body(sim, exporter, clock) }
    }

    static func state(_ scrape: Exposition, _ state: String) -> Double? {
        scrape.value("genesys_notification_stream_state", ["state": state])
    }

    /// Waits for the stream to stream, moving the manual clock on if it is slow to (see `scrape(until:movingOn:)`).
    static func streaming(_ exporter: RunningExporter, _ clock: ManualClock) async throws -> Exposition {
        try await exporter.scrape(until: "the stream streaming", movingOn: clock) {
            state($0, "streaming") == 1 && $0.collectorUp("observations") == 1
        }
    }

    /// After a fallback: moves the exporter's clock past the retry's backoff (from 5 s) until the stream is back.
    static func streamingAgain(_ exporter: RunningExporter, _ clock: ManualClock) async throws -> Exposition {
        for _ in 0..<10 where state(try await exporter.scrape(), "streaming") != 1 {
            clock.advance(by: .seconds(6))
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await streaming(exporter, clock)
    }

    @Test func test_queueChange_reachesMetrics_overTheSocket_withoutAPoll() async throws {
        try await Self.withStreamingExporter { sim, exporter, clock in
            _ = try await Self.streaming(exporter, clock)
            let queue = sim.queues()[1]
            let polls = sim.counters().apiRequests(path: APIPath.queueObservations)
            sim.setObservationOverride(queueID: queue.id, mediaType: "voice", metric: "oWaiting", value: 17)
            let labels = ["queue_id": queue.id, "queue_name": queue.name, "media_type": "voice"]
            let scrape = try await exporter.scrape(until: "the streamed waiting count", timeout: .seconds(10)) {
                $0.value("genesys_queue_conversations_waiting", labels) == 17
            }
            #expect(sim.counters().apiRequests(path: APIPath.queueObservations) == polls, "no poll brought it")
            // Message counts reach the page once a tick (5 s of the exporter's clock).
            clock.advance(by: .seconds(5))
            _ = try await exporter.scrape(until: "the message counted") {
                ($0.value("genesys_notification_messages_total", ["kind": "queue_observation"]) ?? 0) >= 1
            }
            #expect((scrape.value("genesys_notification_apply_delay_seconds_count") ?? 0) >= 1)
            #expect(scrape.value("genesys_notification_topics_subscribed") == 3)
            #expect(scrape.value("genesys_notification_channels_connected") == 1)
            // The streamed value is the one the observations query reads: stream and poll agree.
            #expect(sim.observation(queueID: queue.id, mediaType: "voice", metric: "oWaiting") == 17)
        }
    }

    @Test func test_refusedChannel_fallsBackToPolling_andRecovers() async throws {
        try await Self.withStreamingExporter(prepare: {
            $0.inject(.status(503), path: Self.channelsPath, method: "POST", count: 1)
        }) { sim, exporter, clock in
            var scrape = try await exporter.scrape(until: "the fallback") {
                $0.value("genesys_notification_fallbacks_total", ["reason": "channel_failed"]) == 1
            }
            #expect(Self.state(scrape, "fallback") == 1)
            // While falling back, observations are polled at the poll interval.
            let polls = sim.counters().apiRequests(path: APIPath.queueObservations)
            // Past the poll interval and its jitter (±10%).
            clock.advance(by: .seconds(70))
            try await awaitCondition("a fallback poll") {
                sim.counters().apiRequests(path: APIPath.queueObservations) > polls
            }
            // The retry (backoff from 5 s) opens a channel again.
            scrape = try await Self.streamingAgain(exporter, clock)
            #expect((scrape.value("genesys_notification_reconnects_total") ?? 0) >= 1)
        }
    }

    @Test func test_silentSocket_isDropped_andReopened() async throws {
        try await Self.withStreamingExporter { sim, exporter, clock in
            _ = try await Self.streaming(exporter, clock)
            // Muted rather than only without heartbeats: a message still in flight (or the pong the exporter asks for
            // after 40 s) would make the socket fresh again after the jump, and nothing would move the clock on.
            sim.setNotificationSocketsMuted(true)
            // 80 s with no frame: past the 75 s a socket may stay silent.
            clock.advance(by: .seconds(80))
            _ = try await exporter.scrape(until: "the heartbeat loss", movingOn: clock) {
                $0.value("genesys_notification_fallbacks_total", ["reason": "heartbeat_lost"]) == 1
            }
            sim.setNotificationSocketsMuted(false)
            _ = try await Self.streamingAgain(exporter, clock)
            let queue = sim.queues()[0]
            sim.setObservationOverride(queueID: queue.id, mediaType: "chat", metric: "oWaiting", value: 5)
            _ = try await exporter.scrape(until: "a value over the reopened socket", timeout: .seconds(10)) {
                $0.value(
                    "genesys_queue_conversations_waiting",
                    ["queue_id": queue.id, "queue_name": queue.name, "media_type": "chat"]) == 5
            }
        }
    }

    @Test func test_closingNotice_movesToANewChannel_withoutAFallback() async throws {
        try await Self.withStreamingExporter { sim, exporter, clock in
            _ = try await Self.streaming(exporter, clock)
            let channelsBefore = sim.notificationChannels().count
            sim.sendSocketClosingNotice(closeAfter: .seconds(2))
            let scrape = try await exporter.scrape(until: "the renewal") {
                $0.value("genesys_notification_renewals_total", ["reason": "socket_closing"]) == 1
            }
            #expect(scrape.sum("genesys_notification_fallbacks_total") == 0)
            #expect(Self.state(scrape, "streaming") == 1)
            #expect(sim.notificationChannels().count == channelsBefore + 1)
            // The old channel's topics were removed; the new one holds them all.
            #expect(sim.notificationChannels().map(\.topics.count).sorted() == [0, 3])
            let queue = sim.queues()[2]
            sim.setObservationOverride(queueID: queue.id, mediaType: "voice", metric: "oAlerting", value: 4)
            _ = try await exporter.scrape(until: "a value over the new channel", timeout: .seconds(10)) {
                $0.value(
                    "genesys_queue_conversations_alerting",
                    ["queue_id": queue.id, "queue_name": queue.name, "media_type": "voice"]) == 4
            }
        }
    }

    @Test func test_channelNearItsExpiry_isRenewedWithoutAGap() async throws {
        try await Self.withStreamingExporter(prepare: {
            $0.setChannelLifetime(.seconds(600))
            $0.setNotificationHeartbeatInterval(.milliseconds(50))
        }) { sim, exporter, clock in
            _ = try await Self.streaming(exporter, clock)
            // Time passes in 20 s steps with heartbeats between them, as it would: at 90% of the ten minutes the
            // exporter moves to a new channel before the old one expires.
            for step in 0..<30 {
                let heartbeats = sim.notificationCounters().sent(.heartbeat)
                clock.advance(by: .seconds(20))
                try await awaitCondition("a heartbeat after step \(step)") {
                    sim.notificationCounters().sent(.heartbeat) > heartbeats
                }
                let scrape = try await exporter.scrape()
                if scrape.value("genesys_notification_renewals_total", ["reason": "expiry"]) == 1 {
                    #expect(scrape.sum("genesys_notification_fallbacks_total") == 0)
                    #expect(clock.elapsed >= .seconds(540), "not before 90% of the channel's life")
                    return
                }
            }
            Issue.record("no renewal within the channel's life")
        }
    }

    @Test func test_thousandAndOneQueues_useTwoChannels() async throws {
        try await Self.withStreamingExporter(queues: 1001, maxQueues: 1001) { sim, exporter, clock in
            let scrape = try await exporter.scrape(until: "two channels streaming", timeout: .seconds(60)) {
                Self.state($0, "streaming") == 1 && $0.value("genesys_notification_topics_subscribed") == 1001
            }
            #expect(scrape.value("genesys_notification_channels_connected") == 2)
            #expect(sim.notificationChannels().map(\.topics.count).sorted() == [1, 1000])
        }
    }

    @Test func test_malformedAndBinaryFrames_areCountedAndIgnored() async throws {
        try await Self.withStreamingExporter { sim, exporter, clock in
            _ = try await Self.streaming(exporter, clock)
            sim.sendRawNotificationFrame("{\"topicName\":\"v2.analytics.queues.")
            sim.sendRawNotificationFrame("[1,2,3]")
            sim.sendRawNotificationFrame(#"{"result":"200","status":"subscribed"}"#)
            sim.sendBinaryNotificationFrame([0, 1, 2, 255])
            try await awaitCondition("the frames read") {
                sim.notificationCounters().sent(.raw) >= 3
            }
            // Counts reach the page once a tick (5 s of the exporter's clock).
            var scrape = try await exporter.scrape()
            for _ in 0..<20 where scrape.value("genesys_notification_messages_total", ["kind": "binary"]) != 1 {
                clock.advance(by: .seconds(5))
                try await Task.sleep(for: .milliseconds(50))
                scrape = try await exporter.scrape()
            }
            // Not JSON, and JSON that is no notification (an array): malformed. An object without a topic: other.
            #expect(scrape.value("genesys_notification_messages_total", ["kind": "malformed"]) == 2)
            #expect(scrape.value("genesys_notification_messages_total", ["kind": "other"]) == 1)
            #expect(scrape.value("genesys_notification_messages_total", ["kind": "binary"]) == 1)
            #expect(Self.state(scrape, "streaming") == 1, "bad frames do not break the stream")
        }
    }

    @Test func test_shutdown_removesTheSubscriptions() async throws {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration(queueCount: 3, movingObservations: false)
        configuration.wallNow = { clock.unixNow }
        try await withSimulator(configuration.judgingTime(by: clock)) { sim in
            var settings = try sim.orgSettings(pollInterval: .seconds(60), collectors: ["queues", "observations"])
            settings.collectorOptions["observations"] = ["mode": "stream"]
            let exporter = try await RunningExporter(settings, clock: clock)
            _ = try await Self.streaming(exporter, clock)
            #expect(sim.notificationChannels().map(\.topics.count) == [3])
            await exporter.stop()
            #expect(sim.notificationChannels().map(\.topics.count) == [0], "no topic left behind")
        }
    }
}

extension StreamingTests {
    @Test func test_droppedSocket_reconnectsToTheSameChannel() async throws {
        try await Self.withStreamingExporter { sim, exporter, clock in
            _ = try await Self.streaming(exporter, clock)
            sim.dropNotificationSockets()
            _ = try await exporter.scrape(until: "the dropped socket") {
                $0.value("genesys_notification_fallbacks_total", ["reason": "socket_closed"]) == 1
            }
            _ = try await Self.streamingAgain(exporter, clock)
            // The channel still lives (HEAD says so): the socket reopens on it rather than on a new one.
            #expect(sim.notificationCounters().channelsCreated == 1)
            #expect(sim.notificationCounters().socketsOpened == 2)
            #expect(sim.notificationChannels().map(\.topics.count) == [3])
        }
    }

    @Test func test_messageFlood_isCoalescedPerQueue_andEveryMessageAccountedFor() async throws {
        try await Self.withStreamingExporter { sim, exporter, clock in
            _ = try await Self.streaming(exporter, clock)
            let queue = sim.queues()[0]
            let flood = 20_000
            sim.floodNotifications(queueID: queue.id, count: flood)
            // Every message is read and applied, or dropped and counted: none vanishes. Compared with what the
            // simulator sent, flood included: a slow run moves the clock past an observation slot, and the queues'
            // own change messages come too.
            var scrape = try await exporter.scrape()
            var accounted = 0.0
            var sent = 0
            for _ in 0..<120 {
                let read = scrape.value("genesys_notification_messages_total", ["kind": "queue_observation"]) ?? 0
                accounted = read + (scrape.value("genesys_notification_messages_dropped_total") ?? 0)
                sent = sim.notificationCounters().messagesSent[.observation] ?? 0
                if sent >= flood && accounted == Double(sent) { break }
                clock.advance(by: .seconds(5))
                try await Task.sleep(for: .milliseconds(250))
                scrape = try await exporter.scrape()
            }
            #expect(sent >= flood)
            #expect(accounted == Double(sent), "accounted for \(accounted), sent \(sent)")
            #expect(Self.state(scrape, "streaming") == 1, "a flood does not break the stream")
            // A queue's messages wait as one (each holds its whole state): what is published is the last one.
            let waiting = sim.observation(queueID: queue.id, mediaType: "voice", metric: "oWaiting")
            #expect(
                scrape.value(
                    "genesys_queue_conversations_waiting",
                    ["queue_id": queue.id, "queue_name": queue.name, "media_type": "voice"]) == Double(waiting))
        }
    }

    @Test func test_check_createsAChannel_subscribes_andLeavesNoTopic() async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 2)) { sim in
            var settings = try sim.orgSettings(collectors: ["queues", "observations"])
            settings.collectorOptions["observations"] = ["mode": "stream"]
            let monitor = OrgMonitor(settings: settings, logger: quietLogger)
            defer { monitor.http.shutdown() }
            let rows = await ConnectivityCheck(monitor: monitor).run()
            let streamRows = rows.filter { $0.endpoint.contains("/notifications/") }
            #expect(
                streamRows.map(\.endpoint) == [
                    "POST /api/v2/notifications/channels",
                    "PUT /api/v2/notifications/channels/{channelId}/subscriptions",
                    "HEAD /api/v2/notifications/channels/{channelId}",
                    "DELETE /api/v2/notifications/channels/{channelId}/subscriptions",
                ])
            #expect(streamRows.allSatisfy { $0.ok }, "\(streamRows.map(\.verdict))")
            #expect(sim.notificationCounters().socketsOpened == 1, "the channel's socket was opened")
            #expect(sim.notificationChannels().map(\.topics.count) == [0])

            // A socket that cannot be opened fails the first row, with the reason.
            sim.inject(.status(403), path: "/channels/*")
            let refused = await ConnectivityCheck(monitor: monitor).run()
            let create = try #require(refused.first { $0.endpoint == "POST /api/v2/notifications/channels" })
            #expect(!create.ok)
            #expect(create.verdict.contains("WebSocket could not be opened"), "\(create.verdict)")
        }
    }
}

extension StreamingTests {
    @Test func test_oversizedFrame_closesTheSocket_andTheStreamReopens() async throws {
        try await Self.withStreamingExporter { sim, exporter, clock in
            _ = try await Self.streaming(exporter, clock)
            // Over the 256 KiB a message may have: the socket is closed rather than the frame buffered.
            sim.sendRawNotificationFrame(
                "{\"topicName\":\"x\",\"pad\":\"" + String(repeating: "a", count: 300_000) + "\"}")
            _ = try await exporter.scrape(until: "the socket closed") {
                $0.value("genesys_notification_fallbacks_total", ["reason": "socket_closed"]) == 1
            }
            _ = try await Self.streamingAgain(exporter, clock)
        }
    }
}

extension StreamingTests {
    /// The stream waits for the first poll's queues however many of its ticks pass first (a fleet spreads first
    /// polls over the interval; here the first polls are refused): once a poll succeeds, it streams.
    @Test func test_streamStarts_whenTheFirstSuccessfulPollComesTicksLater() async throws {
        try await Self.withStreamingExporter(
            prepare: { $0.setMissingPermissions(["analytics:queueObservation:view"]) }
        ) { sim, exporter, clock in
            _ = try await exporter.scrape(until: "the first poll refused") { $0.collectorUp("observations") == 0 }
            for _ in 0..<4 {
                clock.advance(by: .seconds(6))  // ticks of the stream with no topics to subscribe
                try await Task.sleep(for: .milliseconds(50))
            }
            sim.setMissingPermissions([])
            for _ in 0..<20 where Self.state(try await exporter.scrape(), "streaming") != 1 {
                clock.advance(by: .seconds(6))
                try await Task.sleep(for: .milliseconds(100))
            }
            _ = try await Self.streaming(exporter, clock)
        }
    }

    /// A hostile stream naming ever new media types cannot grow a queue's series past the bound: the types past
    /// the 31st are `unknown`.
    @Test func test_manyMediaTypes_areBounded() async throws {
        try await Self.withStreamingExporter(queues: 1) { sim, exporter, clock in
            _ = try await Self.streaming(exporter, clock)
            let queue = sim.queues()[0]
            let groups = (0..<40).map { #"{"mediaType":"m\#($0)","data":[{"metric":"oWaiting","count":1}]}"# }
            sim.sendRawNotificationFrame(
                #"{"topicName":"v2.analytics.queues.\#(queue.id).observations","eventBody":{"results":["#
                    + groups.joined(separator: ",") + "]}}")
            let scrape = try await exporter.scrape(until: "the hostile message applied", timeout: .seconds(10)) {
                clock.advance(by: .seconds(1))
                return $0.value("genesys_queue_conversations_waiting", ["queue_id": queue.id, "media_type": "unknown"])
                    != nil
            }
            let media = scrape.samples("genesys_queue_conversations_waiting", ["queue_id": queue.id])
                .compactMap { $0.labels["media_type"] }
            #expect(media.count <= 32, "\(media.count) media types")
            #expect(media.count == 32, "as many as the bound: the types past it, in whatever order, are unknown")
        }
    }

    /// Channels cannot be deleted: 25 restarts against one org leave at most Genesys' 20 channels, none with topics
    /// but the running exporter's, whose channel (the only one connected) is never the one evicted.
    @Test func test_restarts_neverPileUpChannelsPastTheLimit() async throws {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration(queueCount: 3, movingObservations: false)
        configuration.wallNow = { clock.unixNow }
        try await withSimulator(configuration.judgingTime(by: clock)) { sim in
            var settings = try sim.orgSettings(pollInterval: .seconds(60), collectors: ["queues", "observations"])
            settings.collectorOptions["observations"] = ["mode": "stream"]
            for _ in 0..<25 {
                let exporter = try await RunningExporter(settings, clock: clock)
                _ = try await Self.streaming(exporter, clock)
                await exporter.stop()
            }
            let exporter = try await RunningExporter(settings, clock: clock)
            _ = try await Self.streaming(exporter, clock)
            let channels = sim.notificationChannels()
            #expect(channels.count == 20)
            #expect(sim.notificationCounters().channelsRemovedByLimit == 6)
            #expect(channels.filter { !$0.topics.isEmpty }.map(\.connected) == [true], "only the live one has topics")
            let queue = sim.queues()[0]
            sim.setObservationOverride(queueID: queue.id, mediaType: "voice", metric: "oWaiting", value: 9)
            _ = try await exporter.scrape(until: "a value on the live channel", timeout: .seconds(10)) {
                $0.value(
                    "genesys_queue_conversations_waiting",
                    ["queue_id": queue.id, "queue_name": queue.name, "media_type": "voice"]) == 9
            }
            await exporter.stop()
        }
    }
}
