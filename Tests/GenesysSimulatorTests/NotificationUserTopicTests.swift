import Foundation
import GenesysSimulator
import SimulatorTestSupport
import Testing

/// The user topics of the notification service, `v2.users.{userId}.routingStatus` and `v2.users.{userId}.presence`:
/// their messages in the SDK's shape (`UserRoutingStatusUserRoutingStatus`, `PresenceEventUserPresence`), sent when
/// the user's observed state changes, agreeing with the user observations query.
@Suite("Notification user topics")
struct NotificationUserTopicTests {
    /// `OrganizationPresenceDefinition.systemPresence` spelling of each analytics system presence.
    static let sdkSystemPresences = [
        "AVAILABLE": "Available", "AWAY": "Away", "BUSY": "Busy", "OFFLINE": "Offline", "IDLE": "Idle",
        "ON_QUEUE": "OnQueue", "MEAL": "Meal", "TRAINING": "Training", "MEETING": "Meeting", "BREAK": "Break",
    ]
    static let unknownUser = "00000000-0000-4000-8000-000000000000"

    @Test func test_pinnedState_sendsOneMessagePerTopic_inTheSDKShape_agreeingWithTheObservationsQuery() async throws {
        let wall = ManualWallClock(noonNov27)
        try await withSimulator(configuration(wallClock: wall)) { sim in
            let token = try await sim.clientToken()
            let index = 2
            let user = sim.users()[index].id
            let (_, socket) = try await sim.subscribedSocket(
                topics: [routingStatusTopic(user), presenceTopic(user)], token: token)
            // Subscribing records the user's state without sending it.
            sim.pushNotificationChangesNow()
            try await sim.flushNotifications(to: socket)
            #expect(socket.userMessages.isEmpty)

            let nowMillis = Int64(noonNov27) * 1000
            let modelled = sim.userState(index: index, atUnixMillis: nowMillis)
            let status = modelled.routingStatus == "INTERACTING" ? "IDLE" : "INTERACTING"
            let presence = modelled.systemPresence == "MEAL" ? "TRAINING" : "MEAL"
            let presenceID = try #require(GenesysSimulator.systemToOrganizationMappings[presence]?.first)
            sim.setObservedUserQualifiers(index: index, routingStatus: status, presenceID: presenceID)

            let routing = try #require(await socket.waitForMessages(topic: routingStatusTopic(user))?.first)
            Self.expectEnvelope(routing)
            let routingBody = try #require(routing.json?["eventBody"] as? [String: Any])
            #expect(Set(routingBody.keys) == ["id", "routingStatus"])
            #expect(routingBody["id"] as? String == user)
            let routingStatus = try #require(routingBody["routingStatus"] as? [String: Any])
            #expect(Set(routingStatus.keys) == ["status", "startTime"])
            #expect(routingStatus["status"] as? String == status)
            #expect(routingStatus["startTime"] as? String == isoMillis(nowMillis))

            let presenceMessage = try #require(await socket.waitForMessages(topic: presenceTopic(user))?.first)
            Self.expectEnvelope(presenceMessage)
            let presenceBody = try #require(presenceMessage.json?["eventBody"] as? [String: Any])
            #expect(Set(presenceBody.keys) == ["source", "presenceDefinition", "primary", "message", "modifiedDate"])
            #expect(presenceBody["source"] as? String == "PURECLOUD")
            #expect(presenceBody["primary"] as? Bool == true)
            #expect(presenceBody["message"] as? String == "")
            #expect(presenceBody["modifiedDate"] as? String == isoMillis(nowMillis))
            let definition = try #require(presenceBody["presenceDefinition"] as? [String: Any])
            #expect(Set(definition.keys) == ["id", "systemPresence"])
            #expect(definition["id"] as? String == presenceID)
            #expect(definition["systemPresence"] as? String == Self.sdkSystemPresences[presence])
            #expect(sim.notificationCounters().sent(.userRoutingStatus) == 1)
            #expect(sim.notificationCounters().sent(.userPresence) == 1)

            // The observations query reads the same state.
            let observed = try await sim.observedUser(user, token: token)
            #expect(observed.routingStatus == status)
            #expect(observed.presenceID == presenceID)

            // Pinned again to the same values, another user pinned, an hour passing over a pinned user: no change.
            sim.setObservedUserQualifiers(index: index, routingStatus: status, presenceID: presenceID)
            sim.setObservedUserQualifiers(index: index + 1, routingStatus: "IDLE", presenceID: presenceID)
            wall.advance(by: 3600)
            sim.pushNotificationChangesNow()
            try await sim.flushNotifications(to: socket)
            #expect(socket.userMessages.count == 2)

            // Only the routing status changes: only its topic gets a message, entered now.
            let other = status == "IDLE" ? "INTERACTING" : "IDLE"
            sim.setObservedUserQualifiers(index: index, routingStatus: other, presenceID: presenceID)
            let changed = try #require(await socket.waitForMessages(topic: routingStatusTopic(user), count: 2))[1]
            let changedStatus = (changed.json?["eventBody"] as? [String: Any])?["routingStatus"] as? [String: Any]
            #expect(changedStatus?["status"] as? String == other)
            #expect(changedStatus?["startTime"] as? String == isoMillis(nowMillis + 3_600_000))
            try await sim.flushNotifications(to: socket)
            #expect(socket.userMessages.count == 3)
            #expect(sim.notificationCounters().sent(.userRoutingStatus) == 2)
            #expect(sim.notificationCounters().sent(.userPresence) == 1)
            let last = try await sim.observedUser(user, token: token)
            #expect(last.routingStatus == other && last.presenceID == presenceID)
            await socket.close()
        }
    }

    @Test func test_pinnedPresenceIDTheOrgDoesNotDefine_isSentWithoutSystemPresence() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let user = sim.users()[0].id
            let (_, socket) = try await sim.subscribedSocket(
                topics: [routingStatusTopic(user), presenceTopic(user)], token: token)
            sim.setObservedUserQualifiers(index: 0, routingStatus: "HOLOGRAM", presenceID: "no-such-presence")
            let presence = try #require(await socket.waitForMessages(topic: presenceTopic(user))?.first)
            let body = presence.json?["eventBody"] as? [String: Any]
            let definition = try #require(body?["presenceDefinition"] as? [String: Any])
            #expect(definition.keys.sorted() == ["id"])
            #expect(definition["id"] as? String == "no-such-presence")
            // A routing status Genesys may add later goes out as is.
            let routing = try #require(await socket.waitForMessages(topic: routingStatusTopic(user))?.first)
            let status = ((routing.json?["eventBody"] as? [String: Any])?["routingStatus"] as? [String: Any])?["status"]
            #expect(status as? String == "HOLOGRAM")
            await socket.close()
        }
    }

    @Test func test_timePassing_sendsTheChangedTopics_withWhenTheUserEnteredTheirValues() async throws {
        let wall = ManualWallClock(noonNov27)
        try await withSimulator(configuration(wallClock: wall)) { sim in
            let token = try await sim.clientToken()
            let start = Int64(noonNov27) * 1000
            let (index, target) = try #require(Self.firstChangeOfBoth(sim, after: start))
            let user = sim.users()[index].id
            let (_, socket) = try await sim.subscribedSocket(
                topics: [routingStatusTopic(user), presenceTopic(user)], token: token)

            // The simulator's own once-a-second check notices the clock moved.
            wall.set(Double(target) / 1000)
            let routing = try #require(await socket.waitForMessages(topic: routingStatusTopic(user))?.first)
            let presence = try #require(await socket.waitForMessages(topic: presenceTopic(user))?.first)
            let expected = sim.userState(index: index, atUnixMillis: target)
            let routingStatus = try #require(
                (routing.json?["eventBody"] as? [String: Any])?["routingStatus"] as? [String: Any])
            #expect(routingStatus["status"] as? String == expected.routingStatus)
            let startTime = try #require(unixSeconds(routingStatus["startTime"] as? String ?? ""))
            let statusEntered = Self.enteredWindow(sim, index: index, at: target) { $0.routingStatus }
            #expect(statusEntered.contains(Int64((startTime * 1000).rounded())))

            let presenceBody = try #require(presence.json?["eventBody"] as? [String: Any])
            let definition = presenceBody["presenceDefinition"] as? [String: Any]
            #expect(definition?["id"] as? String == expected.organizationPresenceID)
            #expect(definition?["systemPresence"] as? String == Self.sdkSystemPresences[expected.systemPresence])
            let modified = try #require(unixSeconds(presenceBody["modifiedDate"] as? String ?? ""))
            let presenceEntered = Self.enteredWindow(sim, index: index, at: target) { $0.organizationPresenceID }
            #expect(presenceEntered.contains(Int64((modified * 1000).rounded())))

            let observed = try await sim.observedUser(user, token: token)
            #expect(observed.routingStatus == expected.routingStatus)
            #expect(observed.presenceID == expected.organizationPresenceID)

            // Nothing changed since: nothing more.
            sim.pushNotificationChangesNow()
            try await sim.flushNotifications(to: socket)
            #expect(socket.userMessages.count == 2)
            await socket.close()
        }
    }

    @Test func test_sendUserNotifications_sendsTheCurrentStateWhetherOrNotItChanged() async throws {
        let wall = ManualWallClock(noonNov27)
        try await withSimulator(configuration(wallClock: wall)) { sim in
            let token = try await sim.clientToken()
            let users = sim.users().map(\.id)
            let (_, socket) = try await sim.subscribedSocket(
                topics: [routingStatusTopic(users[4]), presenceTopic(users[4]), presenceTopic(users[5])], token: token)
            sim.sendUserNotifications(userID: users[4])
            sim.sendUserNotifications(userID: users[4])
            let routing = try #require(await socket.waitForMessages(topic: routingStatusTopic(users[4]), count: 2))
            let presence = try #require(await socket.waitForMessages(topic: presenceTopic(users[4]), count: 2))
            let modelled = sim.userState(index: 4, atUnixMillis: Int64(noonNov27) * 1000)
            for message in routing {
                let body = message.json?["eventBody"] as? [String: Any]
                #expect((body?["routingStatus"] as? [String: Any])?["status"] as? String == modelled.routingStatus)
            }
            for message in presence {
                let body = message.json?["eventBody"] as? [String: Any]
                let definition = body?["presenceDefinition"] as? [String: Any]
                #expect(definition?["id"] as? String == modelled.organizationPresenceID)
            }
            try await sim.flushNotifications(to: socket)
            #expect(socket.userMessages.count == 4)
            #expect(sim.notificationCounters().sent(.userRoutingStatus) == 2)
            #expect(sim.notificationCounters().sent(.userPresence) == 2)
            await socket.close()
        }
    }

    @Test func test_topicsOfAnUnknownUser_orMalformed_areRejected_likeAnUnknownQueue() async throws {
        try await withSimulator { sim in
            let token = try await sim.clientToken()
            let user = sim.users()[0].id
            let channel = try await sim.createChannel(token: token)
            let rejected = [
                routingStatusTopic(Self.unknownUser), presenceTopic(Self.unknownUser), "v2.users.\(user).routingstatus",
                "v2.users..presence", "v2.users.\(user).x.presence", "v2.users.\(user)",
            ]
            let reply = try await sim.subscribe(
                channel.id, [routingStatusTopic(user)] + rejected + [presenceTopic(user)], token: token)
            #expect(reply.status == 200)
            let permitted = [routingStatusTopic(user), presenceTopic(user)]
            #expect(reply.entities.prefix(2).compactMap { $0["id"] as? String } == permitted)
            #expect(reply.entities.prefix(2).allSatisfy { $0["state"] as? String == "Permitted" })
            #expect(reply.entities.dropFirst(2).compactMap { $0["id"] as? String } == rejected)
            #expect(reply.entities.dropFirst(2).allSatisfy { $0["state"] as? String == "Rejected" })
            let reasons = reply.entities.dropFirst(2).map { $0["rejectionReason"] as? String ?? "" }
            #expect(reasons.prefix(2).allSatisfy { $0.contains("user \(Self.unknownUser) does not exist") })
            #expect(reasons.dropFirst(2).allSatisfy { $0.contains("is not an available topic") })
            #expect(sim.notificationChannels().first?.topics == permitted)
        }
    }

    @Test func test_userTopicsAndQueueTopics_countTogetherAgainstThe1000TopicLimit() async throws {
        try await withSimulator(SimulatorConfiguration(userCount: 500)) { sim in
            let token = try await sim.clientToken()
            let users = sim.users().map(\.id)
            let queue = observationTopic(sim.queues()[0].id)
            let channel = try await sim.createChannel(token: token)
            let topics = users.map(routingStatusTopic) + users.dropLast().map(presenceTopic) + [queue]
            let atLimit = try await sim.subscribe(channel.id, topics, token: token)
            #expect(atLimit.status == 200)
            #expect(atLimit.entities.count == 1000)

            let oneMore = try await sim.subscribe(channel.id, [presenceTopic(users[499])], token: token, method: "POST")
            #expect(oneMore.status == 400)
            #expect((oneMore.json?["message"] as? String)?.contains("1000") == true)
            let over = try await sim.subscribe(channel.id, topics + [presenceTopic(users[499])], token: token)
            #expect(over.status == 400)
            #expect(sim.notificationChannels().first?.topics == topics)
        }
    }

    // MARK: Helpers

    /// What no SDK model holds: the message around the eventBody, as for queue observations.
    static func expectEnvelope(_ message: ReceivedFrame) {
        #expect(message.json?.keys.sorted() == ["eventBody", "metadata", "topicName", "version"])
        #expect(message.json?["version"] as? String == "2")
        let correlation = (message.json?["metadata"] as? [String: Any])?["CorrelationId"] as? String
        #expect(correlation.flatMap(UUID.init(uuidString:)) != nil)
    }

    /// The first user (of the first 20) and instant (whole seconds, within the hour after `start`) at which both
    /// its routing status and its presence differ from what they are at `start`.
    static func firstChangeOfBoth(_ sim: GenesysSimulator, after start: Int64) -> (index: Int, millis: Int64)? {
        for index in 0..<20 {
            let now = sim.userState(index: index, atUnixMillis: start)
            for second in 1...3600 {
                let millis = start + Int64(second) * 1000
                let later = sim.userState(index: index, atUnixMillis: millis)
                let presenceChanged = later.organizationPresenceID != now.organizationPresenceID
                if later.routingStatus != now.routingStatus, presenceChanged { return (index, millis) }
            }
        }
        return nil
    }

    /// Where the user entered, at `t`, the value `part` reads: after the last whole second before `t` with another
    /// value (segments are at least 30 s long, so a second-by-second walk back misses none).
    static func enteredWindow(
        _ sim: GenesysSimulator, index: Int, at t: Int64, _ part: (SimulatedUserState) -> String
    ) -> ClosedRange<Int64> {
        let value = part(sim.userState(index: index, atUnixMillis: t))
        var same = t
        var steps = 0
        while steps < 7200, part(sim.userState(index: index, atUnixMillis: same - 1000)) == value {
            same -= 1000
            steps += 1
        }
        return (same - 999)...same
    }
}

extension GenesysSimulator {
    /// `oUserRoutingStatuses` and `oUserPresences` of one user from the user observations query.
    func observedUser(_ userID: String, token: String) async throws -> (routingStatus: String?, presenceID: String?) {
        let reply = try await api(
            "POST", "/api/v2/analytics/users/observations/query", token: token,
            json: [
                "filter": ["type": "or", "predicates": [["dimension": "userId", "value": userID]]],
                "metrics": ["oUserRoutingStatuses", "oUserPresences"],
            ])
        guard reply.status == 200, let results = reply.json?["results"] as? [[String: Any]], results.count == 1,
            let data = results[0]["data"] as? [[String: Any]]
        else { throw TestFailure("user observations answered \(reply.status): \(reply.text)") }
        func qualifier(_ metric: String) -> String? {
            data.first { $0["metric"] as? String == metric }?["qualifier"] as? String
        }
        return (qualifier("oUserRoutingStatuses"), qualifier("oUserPresences"))
    }
}
