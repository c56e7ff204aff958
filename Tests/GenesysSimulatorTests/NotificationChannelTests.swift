import Foundation
import GenesysSimulator
import SimulatorTestSupport
import Testing

/// The notification service's REST side: channels, their limit and expiry, subscriptions.
@Suite("Notification channels and subscriptions")
struct NotificationChannelTests {
    static let channels = "/api/v2/notifications/channels"

    @Test func test_createChannel_answersConnectURIIdAndExpiresOnTheSimulatorsClocks() async throws {
        let wall = ManualWallClock(noonNov27)
        try await withSimulator(configuration(wallClock: wall)) { sim in
            let token = try await sim.clientToken()
            let reply = try await sim.api("POST", Self.channels, token: token)
            #expect(reply.status == 200)
            let id = try #require(reply.json?["id"] as? String)
            #expect(id.wholeMatch(of: /streaming-[0-9]+-[a-z0-9]{26}/) != nil)
            #expect(reply.json?["connectUri"] as? String == "ws://127.0.0.1:\(sim.port)/channels/\(id)")
            #expect(reply.json?["expires"] as? String == "2026-11-28T12:00:00.000Z")
            #expect(Set(reply.json?.keys.map { $0 } ?? []) == ["id", "connectUri", "expires"])

            let listed = try await sim.api("GET", Self.channels, token: token)
            #expect(listed.status == 200)
            #expect(listed.entities.compactMap { $0["id"] as? String } == [id])
            #expect(listed.entities.first?["expires"] as? String == "2026-11-28T12:00:00.000Z")

            let channel = try #require(sim.notificationChannels().first)
            #expect(channel.id == id && channel.topics.isEmpty && !channel.connected && !channel.userContext)
            #expect(channel.clientID == sim.configuration.clientID)
            #expect(channel.expiresText == "2026-11-28T12:00:00.000Z")
            #expect(sim.notificationCounters().channelsCreated == 1)
        }
    }

    @Test func test_head_is200ForALiveChannelAnd404Otherwise_withoutBody() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let channel = try await sim.createChannel(token: token)
            let live = try await sim.api("HEAD", "\(Self.channels)/\(channel.id)", token: token)
            #expect(live.status == 200)
            #expect(live.body.isEmpty)
            let unknown = try await sim.api("HEAD", "\(Self.channels)/streaming-0-nosuchchannel", token: token)
            #expect(unknown.status == 404)
            #expect(unknown.body.isEmpty)
            let anonymous = try await sim.request("GET", "\(Self.channels)/\(channel.id)/subscriptions")
            #expect(anonymous.status == 401)
        }
    }

    @Test func test_subscriptions_permitKnownQueuesAndRejectOtherTopics() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let queues = sim.queues().map(\.id)
            let channel = try await sim.createChannel(token: token)
            let unknownQueue = observationTopic("00000000-0000-4000-8000-000000000000")
            let put = try await sim.subscribe(
                channel.id,
                [observationTopic(queues[0]), unknownQueue, "v2.users.abc.presence", observationTopic(queues[0])],
                token: token)
            #expect(put.status == 200)
            #expect(put.entities.count == 3)
            #expect(put.entities[0]["id"] as? String == observationTopic(queues[0]))
            #expect(put.entities[0]["state"] as? String == "Permitted")
            for rejected in put.entities.dropFirst() {
                #expect(rejected["state"] as? String == "Rejected")
                #expect((rejected["rejectionReason"] as? String)?.isEmpty == false)
            }
            #expect(
                Set(put.entities.dropFirst().compactMap { $0["id"] as? String }) == [
                    unknownQueue, "v2.users.abc.presence",
                ])

            let path = "\(Self.channels)/\(channel.id)/subscriptions"
            let listed = try await sim.api("GET", path, token: token)
            #expect(listed.status == 200)
            #expect(listed.entities.map { $0["id"] as? String } == [observationTopic(queues[0])])
            #expect(listed.entities.map { $0["state"] as? String } == ["Permitted"])

            let added = try await sim.subscribe(channel.id, [observationTopic(queues[1])], token: token, method: "POST")
            #expect(added.entities.compactMap { $0["id"] as? String } == [queues[0], queues[1]].map(observationTopic))
            let replaced = try await sim.subscribe(channel.id, [observationTopic(queues[2])], token: token)
            #expect(replaced.entities.compactMap { $0["id"] as? String } == [observationTopic(queues[2])])
            #expect(sim.notificationChannels().first?.topics == [observationTopic(queues[2])])

            let deleted = try await sim.api("DELETE", path, token: token)
            #expect(deleted.status == 204)
            #expect(try await sim.api("GET", path, token: token).entities.isEmpty)
        }
    }

    @Test func test_subscriptions_unknownChannelIs404_malformedBodyIs400() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let unknown = "\(Self.channels)/streaming-0-nosuchchannel/subscriptions"
            for method in ["GET", "PUT", "POST", "DELETE"] {
                let reply = try await sim.api(
                    method, unknown, token: token, json: method == "GET" || method == "DELETE" ? nil : [])
                #expect(reply.status == 404, "\(method)")
                #expect(reply.errorCode == "not.found", "\(method)")
            }
            let channel = try await sim.createChannel(token: token)
            let path = "\(Self.channels)/\(channel.id)/subscriptions"
            for body in ["not json", #"{"id":"x"}"#, #"[{"topic":"x"}]"#, #"["v2.x"]"#] {
                let reply = try await sim.request(
                    "PUT", path, headers: [bearer(token), ("Content-Type", "application/json")], body: Array(body.utf8))
                #expect(reply.status == 400, "\(body)")
                #expect(reply.errorCode == "bad.request", "\(body)")
            }
        }
    }

    @Test func test_subscriptions_moreThan1000TopicsAre400_andChangeNothing() async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 1001)) { sim in
            let token = try await sim.clientToken()
            let topics = sim.queues().map { observationTopic($0.id) }
            let channel = try await sim.createChannel(token: token)
            let first = try await sim.subscribe(channel.id, [topics[1000]], token: token)
            #expect(first.status == 200)

            let over = try await sim.subscribe(channel.id, topics, token: token)
            #expect(over.status == 400)
            #expect(over.errorCode == "bad.request")
            #expect(over.json?["status"] as? Int == 400)
            #expect((over.json?["message"] as? String)?.contains("1000") == true)
            #expect(sim.notificationChannels().first?.topics == [topics[1000]])

            let atLimit = try await sim.subscribe(channel.id, Array(topics.prefix(999)), token: token, method: "POST")
            #expect(atLimit.status == 200)
            #expect(atLimit.entities.count == 1000)
            let oneMore = try await sim.subscribe(channel.id, [topics[999]], token: token, method: "POST")
            #expect(oneMore.status == 400)
            #expect(sim.notificationChannels().first?.topics.count == 1000)
        }
    }

    @Test func test_channelLimit_21stChannelRemovesTheLeastRecentlyUsed_preferringOneWithoutSocket() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            var ids: [String] = []
            var uris: [String] = []
            for _ in 0..<20 {
                let channel = try await sim.createChannel(token: token)
                ids.append(channel.id)
                uris.append(channel.connectURI)
            }
            // The oldest has a socket; the second oldest is used since: the third is the one to go.
            let socket = try await NotificationSocketClient.connect(uris[0])
            defer { Task { await socket.close() } }
            #expect(await eventually { sim.notificationChannels().first?.connected == true })
            #expect(try await sim.api("HEAD", "\(Self.channels)/\(ids[1])", token: token).status == 200)

            let newest = try await sim.createChannel(token: token)
            let left = sim.notificationChannels().map(\.id)
            #expect(left.count == 20)
            #expect(!left.contains(ids[2]))
            #expect(left.contains(ids[0]) && left.contains(ids[1]) && left.last == newest.id)
            #expect(try await sim.api("HEAD", "\(Self.channels)/\(ids[2])", token: token).status == 404)
            #expect(sim.notificationCounters().channelsRemovedByLimit == 1)
            #expect(!socket.isClosed)
        }
    }

    @Test func test_channelLimit_withEveryChannelConnected_removesTheLeastRecentlyUsedAndClosesItsSocket() async throws
    {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            var sockets: [NotificationSocketClient] = []
            for _ in 0..<20 {
                let channel = try await sim.createChannel(token: token)
                sockets.append(try await NotificationSocketClient.connect(channel.connectURI))
            }
            #expect(await eventually { sim.notificationChannels().allSatisfy(\.connected) })
            let oldest = sim.notificationChannels()[0].id
            _ = try await sim.createChannel(token: token)
            #expect(!sim.notificationChannels().map(\.id).contains(oldest))
            #expect(await sockets[0].waitUntilClosed())
            #expect(sockets[0].frames().last?.closeCode == 1000)
            #expect(!sockets[1].isClosed)
            for socket in sockets { await socket.close() }
        }
    }

    @Test func test_expiry_byTheSimulatorClock_closesTheSocketAndRemovesTheChannel() async throws {
        let clock = SkewedClock()
        var configuration = SimulatorConfiguration(notificationChannelLifetime: .seconds(600))
        configuration.now = { clock.now() }
        try await withSimulator(configuration) { sim in
            let token = try await sim.clientToken()
            let channel = try await sim.createChannel(token: token)
            let socket = try await NotificationSocketClient.connect(channel.connectURI)
            #expect(await eventually { sim.notificationChannels().first?.connected == true })

            // 10 s short of the lifetime: the skewed clock also moves with real time, which a loaded machine stretches.
            clock.advance(by: .seconds(590))
            sim.expireNotificationChannelsNow()
            #expect(sim.notificationChannels().count == 1)
            clock.advance(by: .seconds(10))
            // Expired: the API no longer knows it, even before the check removes it.
            #expect(try await sim.api("HEAD", "\(Self.channels)/\(channel.id)", token: token).status == 404)
            sim.expireNotificationChannelsNow()
            #expect(await socket.waitUntilClosed())
            #expect(socket.frames().last?.closeCode == 1000)
            #expect(sim.notificationChannels().isEmpty)
            #expect(sim.notificationCounters().channelsExpired == 1)
            // A new socket to it is refused.
            await #expect(throws: NotificationSocketError.refused(status: 404)) {
                _ = try await NotificationSocketClient.connect(channel.connectURI)
            }
        }
    }

    @Test func test_channelLifetime_setterAppliesToChannelsCreatedFromNowOn() async throws {
        let wall = ManualWallClock(noonNov27)
        try await withSimulator(configuration(wallClock: wall)) { sim in
            let token = try await sim.clientToken()
            sim.setChannelLifetime(.seconds(90))
            let reply = try await sim.api("POST", Self.channels, token: token)
            #expect(reply.json?["expires"] as? String == "2026-11-27T12:01:30.000Z")
        }
    }

    @Test func test_faults_applyToTheNotificationRoutes() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            sim.inject(.status(503), path: Self.channels, method: "POST", count: 1)
            let refused = try await sim.api("POST", Self.channels, token: token)
            #expect(refused.status == 503)
            #expect(refused.errorCode == "service.unavailable")
            let channel = try await sim.createChannel(token: token)
            sim.inject(.status(500), path: "/api/v2/notifications/channels/{channelId}/subscriptions", count: 1)
            #expect(try await sim.subscribe(channel.id, [], token: token).status == 500)
            #expect(try await sim.subscribe(channel.id, [], token: token).status == 200)
            #expect(sim.counters().apiRequests(path: "/api/v2/notifications/channels/{channelId}/subscriptions") == 2)
        }
    }
}
