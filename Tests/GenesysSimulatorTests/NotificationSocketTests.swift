import Foundation
import GenesysSimulator
import SimulatorTestSupport
import Testing

/// The notification service's WebSocket: the upgrade, heartbeats, ping/pong, observation messages and the ways a
/// socket ends.
@Suite("Notification sockets")
struct NotificationSocketTests {
    static let metadata = "channel.metadata"

    @Test func test_socket_toAnUnknownChannel_is404WithoutUpgrade() async throws {
        try await withSimulator { (sim: GenesysSimulator) async throws -> Void in
            // Plain HTTP is unchanged next to the upgrader.
            #expect(try await sim.request("GET", "/channels/streaming-0-nosuch").status == 404)
            #expect(try await sim.get("/api/v2/organizations/me", token: try await sim.clientToken()).status == 200)
            await #expect(throws: NotificationSocketError.refused(status: 404)) {
                _ = try await NotificationSocketClient.connect("ws://127.0.0.1:\(sim.port)/channels/streaming-0-nosuch")
            }
            #expect(sim.notificationCounters().socketsOpened == 0)
        }
    }

    @Test func test_socket_getsHeartbeats_andAnswersPingWithPong() async throws {
        try await withSimulator(SimulatorConfiguration(notificationHeartbeatInterval: .milliseconds(100))) { sim in
            let token = try await sim.clientToken()
            let channel = try await sim.createChannel(token: token)
            let socket = try await NotificationSocketClient.connect(channel.connectURI)
            let heartbeats = await socket.waitFor(2) {
                $0.topicName == Self.metadata && $0.eventMessage == "WebSocket Heartbeat"
            }
            #expect(heartbeats?.count ?? 0 >= 2)
            #expect(heartbeats?.first?.json?.keys.sorted() == ["eventBody", "topicName"])

            try await socket.sendText(#"{"message":"ping"}"#)
            let pong = await socket.waitFor { $0.topicName == Self.metadata && $0.eventMessage == "pong" }
            #expect(pong?.count == 1)
            // Anything else is ignored; a WebSocket ping gets a pong frame.
            try await socket.sendText(#"{"message":"hello"}"#)
            try await socket.sendBinary([1, 2, 3])
            try await socket.sendPing([7])
            #expect(await socket.waitFor { $0.kind == .pong }?.first?.bytes == [7])
            #expect(sim.notificationCounters().sent(.pong) == 1)
            #expect(sim.notificationCounters().sent(.heartbeat) >= 2)
            #expect(sim.notificationCounters().socketsOpened == 1)
            #expect(!socket.isClosed)
            await socket.close()
        }
    }

    @Test func test_heartbeats_canBeTurnedOff() async throws {
        try await withSimulator(SimulatorConfiguration(notificationHeartbeats: false)) { sim in
            let token = try await sim.clientToken()
            let channel = try await sim.createChannel(token: token)
            let socket = try await NotificationSocketClient.connect(channel.connectURI)
            sim.setNotificationHeartbeatInterval(.milliseconds(20))
            // The pong proves the socket works; no heartbeat came before it although ticks ran.
            try await socket.sendText(#"{"message":"ping"}"#)
            #expect(await socket.waitFor { $0.eventMessage == "pong" } != nil)
            sim.setNotificationHeartbeats(enabled: true)
            #expect(await socket.waitFor { $0.eventMessage == "WebSocket Heartbeat" } != nil)
            await socket.close()
        }
    }

    @Test func test_mutedSockets_sendNoNotification_untilUnmuted() async throws {
        try await withSimulator { sim in
            let channel = try await sim.createChannel(token: try await sim.clientToken())
            let socket = try await NotificationSocketClient.connect(channel.connectURI)
            sim.setNotificationSocketsMuted(true)
            try await socket.sendText(#"{"message":"ping"}"#)
            // The control frame's answer comes after the text ping was read (one connection, in order).
            try await socket.sendPing([7])
            #expect(await socket.waitFor { $0.kind == .pong }?.first?.bytes == [7])
            #expect(sim.notificationCounters().sent(.pong) == 0, "the muted ping got no pong")
            sim.setNotificationSocketsMuted(false)
            try await socket.sendText(#"{"message":"ping"}"#)
            #expect(await socket.waitFor { $0.eventMessage == "pong" }?.count == 1)
            #expect(sim.notificationCounters().sent(.pong) == 1)
            await socket.close()
        }
    }

    @Test func test_override_pushesAnObservationMessage_agreeingWithTheObservationQuery() async throws {
        let wall = ManualWallClock(noonNov27)
        try await withSimulator(configuration(wallClock: wall)) { sim in
            let token = try await sim.clientToken()
            let queue = sim.queues()[3].id
            let (_, socket) = try await sim.subscribedSocket(queueIDs: [queue], token: token)
            sim.setObservationOverride(queueID: queue, mediaType: "chat", metric: "oWaiting", value: 0)
            sim.setObservationOverride(queueID: queue, mediaType: "voice", metric: "oWaiting", value: 3)
            sim.setObservationOverride(queueID: queue, mediaType: "voice", metric: "oInteracting", value: 1)
            let topic = observationTopic(queue)
            let messages = try #require(await socket.waitForMessages(topic: topic, count: 3))
            let message = messages[2]
            #expect(message.json?["version"] as? String == "2")
            let correlation = (message.json?["metadata"] as? [String: Any])?["CorrelationId"] as? String
            #expect(correlation.flatMap(UUID.init(uuidString:)) != nil)
            let groups = message.observationGroups
            #expect(Set(groups.keys) == ["voice", "chat", "email", "callback", "message"])

            // The observation query, with oWaiting's detail, answers the same.
            let query = try await sim.request(
                "POST", "/api/v2/analytics/queues/observations/query",
                headers: [bearer(token), ("Content-Type", "application/json")],
                body: Array(
                    try JSONSerialization.data(withJSONObject: [
                        "filter": ["type": "or", "predicates": [["dimension": "queueId", "value": queue]]],
                        "metrics": ["oWaiting", "oInteracting", "oAlerting"], "detailMetrics": ["oWaiting"],
                    ])))
            let results = try #require(query.json?["results"] as? [[String: Any]])
            #expect(results.count == 5)
            for result in results {
                let mediaType = try #require((result["group"] as? [String: String])?["mediaType"])
                let group = try #require(groups[mediaType])
                let data = try #require(result["data"] as? [[String: Any]])
                for datum in data {
                    let metric = try #require(datum["metric"] as? String)
                    let count = (datum["stats"] as? [String: Any])?["count"] as? Int
                    #expect(group[metric]?["count"] as? Int == count, "\(mediaType) \(metric)")
                    #expect(count == sim.observation(queueID: queue, mediaType: mediaType, metric: metric))
                }
                let waiting =
                    (data.first { $0["metric"] as? String == "oWaiting" }?["observations"] as? [[String: Any]]) ?? []
                if waiting.isEmpty {
                    #expect(group["oLongestWaiting"] == nil, "\(mediaType)")
                } else {
                    let longest = try #require(group["oLongestWaiting"], "\(mediaType)")
                    #expect(longest["count"] as? Int == waiting.count)
                    let oldest = try #require(sim.oldestWaiting(queueID: queue, mediaType: mediaType))
                    let waited = Int((noonNov27 - oldest) * 1000 + 0.5)
                    #expect(longest["calculatedMetricValue"] as? Int == waited)
                }
            }
            #expect(groups["voice"]?["oWaiting"]?["count"] as? Int == 3)
            #expect(groups["voice"]?["oInteracting"]?["count"] as? Int == 1)
            #expect(groups["chat"]?["oLongestWaiting"] == nil)
            #expect(groups["voice"]?["oLongestWaiting"]?["count"] as? Int == 3)
            #expect(sim.notificationCounters().sent(.observation) == 3)

            // Cleared: the model's value again, in the query and a new message.
            sim.setObservationOverride(queueID: queue, mediaType: "voice", metric: "oWaiting", value: nil)
            let cleared = try #require(await socket.waitForMessages(topic: topic, count: 4))[3]
            let modelled = sim.observation(queueID: queue, mediaType: "voice", metric: "oWaiting")
            #expect(cleared.observationGroups["voice"]?["oWaiting"]?["count"] as? Int == modelled)
            await socket.close()
        }
    }

    @Test func test_override_ofAnUnsubscribedQueue_sendsNothing() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let queues = sim.queues().map(\.id)
            let (_, socket) = try await sim.subscribedSocket(queueIDs: [queues[0]], token: token)
            sim.setObservationOverride(queueID: queues[1], mediaType: "voice", metric: "oAlerting", value: 2)
            sim.setObservationOverride(queueID: queues[0], mediaType: "email", metric: "oAlerting", value: 2)
            let messages = try #require(await socket.waitFor { $0.topicName?.hasPrefix("v2.analytics") == true })
            #expect(messages.map(\.topicName) == [observationTopic(queues[0])])
            #expect(messages[0].observationGroups["email"]?["oAlerting"]?["count"] as? Int == 2)
            await socket.close()
        }
    }

    @Test func test_movingObservations_pushAMessageWhenTheSlotChangesTheValues() async throws {
        try await withSimulator(SimulatorConfiguration(movingObservations: true)) { sim in
            let token = try await sim.clientToken()
            let queues = Array(sim.queues().prefix(5).map(\.id))
            let (_, socket) = try await sim.subscribedSocket(queueIDs: queues, token: token)
            // Slots are 10 s long: within 30 s at least one of five queues has new values.
            let message = try #require(
                await socket.waitFor(timeout: .seconds(30)) { $0.topicName?.hasPrefix("v2.analytics.queues.") == true }
            ).first
            let queue = try #require(queues.first { message?.topicName == observationTopic($0) })
            for (mediaType, group) in message?.observationGroups ?? [:] {
                // Read right after it arrived, a millisecond into a 10 s slot: the same slot.
                #expect(
                    group["oWaiting"]?["count"] as? Int
                        == sim.observation(queueID: queue, mediaType: mediaType, metric: "oWaiting"))
            }
            await socket.close()
        }
    }

    @Test func test_secondSocket_closesTheFirst() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let channel = try await sim.createChannel(token: token)
            let first = try await NotificationSocketClient.connect(channel.connectURI)
            #expect(await eventually { sim.notificationCounters().socketsOpened == 1 })
            let second = try await NotificationSocketClient.connect(channel.connectURI)
            #expect(await first.waitUntilClosed())
            #expect(first.frames().last?.closeCode == 1000)
            try await second.sendText(#"{"message":"ping"}"#)
            #expect(await second.waitFor { $0.eventMessage == "pong" } != nil)
            #expect(sim.notificationChannels().first?.connected == true)
            await second.close()
        }
    }

    @Test func test_closingNotice_isSent_thenTheSocketCloses_andTheChannelStays() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let (channelID, socket) = try await sim.subscribedSocket(queueIDs: [sim.queues()[0].id], token: token)
            sim.sendSocketClosingNotice(closeAfter: .milliseconds(200))
            let notice = try #require(await socket.waitForMessages(topic: "v2.system.socket_closing")?.first)
            #expect((notice.eventMessage ?? "").isEmpty == false)
            #expect(await socket.waitUntilClosed())
            #expect(socket.frames().last?.closeCode == 1001)
            #expect(sim.notificationCounters().sent(.closing) == 1)
            #expect(await eventually { sim.notificationChannels().first?.connected == false })
            #expect(sim.notificationChannels().map(\.id) == [channelID])
        }
    }

    @Test func test_shutdown_sendsTheClosingNotice() async throws {
        let simulator = GenesysSimulator()
        try await simulator.start()
        let token = try await simulator.clientToken()
        let channel = try await simulator.createChannel(token: token)
        let socket = try await NotificationSocketClient.connect(channel.connectURI)
        #expect(await eventually { simulator.notificationChannels().first?.connected == true })
        try await simulator.shutdown()
        #expect(await socket.waitUntilClosed())
        #expect(socket.frames().contains { $0.topicName == "v2.system.socket_closing" })
    }

    @Test func test_rawAndBinaryFrames_reachEverySocketAsSent() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let channel = try await sim.createChannel(token: token)
            let socket = try await NotificationSocketClient.connect(channel.connectURI)
            #expect(await eventually { sim.notificationChannels().first?.connected == true })
            sim.sendRawNotificationFrame(#"{"topicName":"#)
            sim.sendBinaryNotificationFrame([0, 1, 0xfe, 0xff])
            let binary = try #require(await socket.waitFor { $0.kind == .binary }?.first)
            #expect(binary.bytes == [0, 1, 0xfe, 0xff])
            #expect(socket.frames().contains { $0.kind == .text && $0.text == #"{"topicName":"# })
            #expect(sim.notificationCounters().sent(.raw) == 1)
            #expect(sim.notificationCounters().sent(.binary) == 1)
            await socket.close()
        }
    }

    @Test func test_flood_sendsEveryMessage() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let queue = sim.queues()[0].id
            let (_, socket) = try await sim.subscribedSocket(queueIDs: [queue], token: token)
            sim.floodNotifications(queueID: queue, count: 3000)
            let messages = try #require(await socket.waitForMessages(topic: observationTopic(queue), count: 3000))
            #expect(messages.count == 3000)
            #expect(
                Set(messages.compactMap { ($0.json?["metadata"] as? [String: Any])?["CorrelationId"] as? String }).count
                    == 3000)
            #expect(sim.notificationCounters().sent(.observation) == 3000)
            await socket.close()
        }
    }

    @Test func test_benchmarkLoad_sendsEachSubscribedQueueAtTheRate() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let queues = sim.queues().prefix(20).map(\.id)
            let (_, socket) = try await sim.subscribedSocket(queueIDs: Array(queues), token: token)
            sim.setNotificationLoad(perQueuePerSecond: 5)
            // 20 queues at 5 a second: 10 messages every 100 ms, round robin, so every queue is sent.
            let messages = try #require(await socket.waitForMessages(topic: observationTopic(queues[19]), count: 2))
            #expect(messages.count >= 2)
            #expect(sim.notificationCounters().sent(.observation) >= 20)
            sim.setNotificationLoad(perQueuePerSecond: 0)
            await socket.close()
        }
    }

    @Test func test_drop_closesWithoutACloseFrame() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let channel = try await sim.createChannel(token: token)
            let socket = try await NotificationSocketClient.connect(channel.connectURI)
            #expect(await eventually { sim.notificationChannels().first?.connected == true })
            sim.dropNotificationSockets()
            #expect(await socket.waitUntilClosed())
            #expect(!socket.frames().contains { $0.kind == .close })
            #expect(await eventually { sim.notificationChannels().first?.connected == false })
        }
    }

    @Test func test_clientClose_isEchoed_thenTheSocketCloses() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let channel = try await sim.createChannel(token: token)
            let socket = try await NotificationSocketClient.connect(channel.connectURI)
            try await socket.sendClose(code: 4000)
            #expect(await socket.waitUntilClosed())
            #expect(socket.frames().last?.closeCode == 4000)
        }
    }

    @Test func test_clientFrameOver64KiB_isRefusedAndTheSocketClosed() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let channel = try await sim.createChannel(token: token)
            let socket = try await NotificationSocketClient.connect(channel.connectURI)
            try await socket.sendText(String(repeating: "x", count: 64 * 1024 + 1))
            #expect(await socket.waitUntilClosed())
            #expect(socket.frames().last?.closeCode == 1009)
        }
    }

    @Test func test_clientThatDoesNotRead_isClosedOnceItsUnsentMessagesPassTheLimit() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let channel = try await sim.createChannel(token: token)
            // The upgrade by hand on a socket that is then never read.
            let connection = try await RawHTTPConnection.open(port: sim.port)
            defer { connection.close() }
            let upgrade = try await connection.send(
                "GET", "/channels/\(channel.id)",
                headers: [
                    ("Upgrade", "websocket"), ("Connection", "Upgrade"),
                    ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13"),
                ])
            #expect(upgrade.status == 101)
            #expect(await eventually { sim.notificationChannels().first?.connected == true })
            let megabyte = String(repeating: "x", count: 1 << 20)
            // The kernel's buffers take a few megabytes, the simulator 4 MiB more, then it gives up on the client.
            let closed = await eventually {
                sim.sendRawNotificationFrame(megabyte)
                return sim.notificationCounters().slowSocketsClosed == 1
            }
            #expect(closed)
            #expect(await eventually { sim.notificationChannels().first?.connected == false })
        }
    }

    @Test func test_faultOnTheSocketPath_refusesTheUpgradeWithThatFault() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let channel = try await sim.createChannel(token: token)
            sim.inject(.status(503), path: "/channels/{channelId}", count: 1)
            await #expect(throws: NotificationSocketError.refused(status: 503)) {
                _ = try await NotificationSocketClient.connect(channel.connectURI)
            }
            let socket = try await NotificationSocketClient.connect(channel.connectURI)
            #expect(sim.counters().apiRequests(path: "/channels/{channelId}", status: 101) == 1)
            #expect(sim.counters().apiRequests(path: "/channels/{channelId}", status: 503) == 1)
            await socket.close()
        }
    }
}
