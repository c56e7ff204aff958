import Testing

@testable import GenesysAPI

/// A notification socket's text frames: what the stream acts on, and what it counts and ignores.
@Suite("Notification messages")
struct NotificationMessageTests {
    private func message(_ text: String) throws -> NotificationMessage {
        try NotificationMessage(frame: Array(text.utf8))
    }

    @Test func test_channelMetadata_isHeartbeatOrPong() throws {
        #expect(
            try message(#"{"topicName":"channel.metadata","eventBody":{"message":"WebSocket Heartbeat"}}"#)
                == .heartbeat)
        #expect(try message(#"{"topicName":"channel.metadata","eventBody":{"message":"pong"}}"#) == .pong)
        #expect(
            try message(#"{"topicName":"v2.system.socket_closing","eventBody":{"message":"bye"}}"#) == .socketClosing)
    }

    @Test func test_queueObservation_readsCountsByMediaAndTheLongestWait() throws {
        let text = #"""
            {"topicName":"v2.analytics.queues.6a0f3c2e-8b1d-4e57.observations","version":"2","eventBody":{"results":[
            {"mediaType":"voice","data":[{"metric":"oWaiting","count":3},{"metric":"oInteracting","count":1},
            {"metric":"oAlerting","count":2},{"metric":"oLongestWaiting","count":3,"calculatedMetricValue":45210}]},
            {"mediaType":"chat","data":[{"metric":"oFlow","count":4},{"metric":"oWaiting","count":0}]}]}}
            """#
        guard case .queueObservation(let update) = try message(text) else {
            Issue.record("not an observation")
            return
        }
        #expect(update.queueID == "6a0f3c2e-8b1d-4e57")
        #expect(update.byMedia["voice"]?.waiting == 3)
        #expect(update.byMedia["voice"]?.interacting == 1)
        #expect(update.byMedia["voice"]?.alerting == 2)
        #expect(update.byMedia["voice"]?.longestWaitingMillis == 45210)
        #expect(update.byMedia["chat"]?.waiting == 0)
        #expect(update.byMedia["chat"]?.longestWaitingMillis == nil)
    }

    @Test func test_otherTopicsAndFramesWithoutTopic_areOther() throws {
        #expect(try message(#"{"topicName":"v2.users.u1.conversations","eventBody":{}}"#) == .other)
        #expect(try message(#"{"result":"200","status":"subscribed"}"#) == .other)
        // An id with dots or slashes cannot be a queue id: not read as one.
        #expect(try message(#"{"topicName":"v2.analytics.queues.a/../b.observations","eventBody":{}}"#) == .other)
    }

    @Test func test_hostileValues_areRefusedOrBounded() throws {
        #expect(throws: (any Error).self) { try message("{\"topicName\":") }
        #expect(throws: (any Error).self) {
            try message(
                #"{"topicName":"v2.analytics.queues.q1.observations","eventBody":{"results":[{"mediaType":"voice","data":[{"metric":"oWaiting","count":1e300}]}]}}"#
            )
        }
        #expect(throws: (any Error).self) {
            try message(
                #"{"topicName":"v2.analytics.queues.q1.observations","eventBody":{"results":[{"data":[{"metric":"oLongestWaiting","calculatedMetricValue":-1}]}]}}"#
            )
        }
        let odd = try message(
            #"{"topicName":"v2.analytics.queues.q1.observations","eventBody":{"results":[{"mediaType":"VOICE<script>","data":[{"metric":"oWaiting","count":1}]}]}}"#
        )
        #expect(odd == .queueObservation(Self.update("q1", media: "unknown", waiting: 1)))
    }

    @Test func test_userRoutingStatus_readsTheStatus_andBoundsOddValues() throws {
        let text = #"""
            {"topicName":"v2.users.1f2e-77ab.routingStatus","version":"2","eventBody":{"id":"1f2e-77ab",
            "routingStatus":{"status":"INTERACTING","startTime":"2026-12-05T03:40:00.000Z"}},
            "metadata":{"CorrelationId":"c1"}}
            """#
        #expect(
            try message(text) == .userRoutingStatus(UserRoutingStatusUpdate(userID: "1f2e-77ab", status: "INTERACTING"))
        )
        let odd = #"{"topicName":"v2.users.u1.routingStatus","eventBody":{"routingStatus":{"status":"idle<b>"}}}"#
        #expect(try message(odd) == .userRoutingStatus(UserRoutingStatusUpdate(userID: "u1", status: "UNKNOWN")))
        let long = String(repeating: "A", count: 33)
        let longer =
            #"{"topicName":"v2.users.u1.routingStatus","eventBody":{"routingStatus":{"status":""# + long + #""}}}"#
        #expect(try message(longer) == .userRoutingStatus(UserRoutingStatusUpdate(userID: "u1", status: "UNKNOWN")))
        #expect(throws: (any Error).self) {
            try message(#"{"topicName":"v2.users.u1.routingStatus","eventBody":{"id":"u1"}}"#)
        }
        // A user id that cannot be a Genesys id is not read as one.
        #expect(try message(#"{"topicName":"v2.users.a.b.routingStatus","eventBody":{}}"#) == .other)
    }

    @Test func test_userPresence_readsTheSystemPresenceInTheAnalyticsSpelling() throws {
        func presence(_ system: String, primary: String = "true") throws -> NotificationMessage {
            try message(
                #"{"topicName":"v2.users.u7.presence","eventBody":{"source":"PURECLOUD","presenceDefinition":"#
                    + #"{"id":"e08eaf1b-ee47","systemPresence":""# + system + #""},"primary":"# + primary
                    + #","message":"","modifiedDate":"2026-12-05T03:40:00.000Z"}}"#)
        }
        #expect(
            try presence("On Queue")
                == .userPresence(
                    UserPresenceUpdate(userID: "u7", presenceID: "e08eaf1b-ee47", systemPresence: "ON_QUEUE")))
        #expect(try presence("OnQueue") == presence("ON_QUEUE"))
        #expect(
            try presence("Available")
                == .userPresence(
                    UserPresenceUpdate(userID: "u7", presenceID: "e08eaf1b-ee47", systemPresence: "AVAILABLE")))
        #expect(
            try presence("Teleporting")
                == .userPresence(UserPresenceUpdate(userID: "u7", presenceID: "e08eaf1b-ee47", systemPresence: nil)))
        #expect(
            try presence("Busy", primary: "false")
                == .userPresence(
                    UserPresenceUpdate(
                        userID: "u7", presenceID: "e08eaf1b-ee47", systemPresence: "BUSY", primary: false)))
        #expect(throws: (any Error).self) { try message(#"{"topicName":"v2.users.u7.presence","eventBody":{}}"#) }
    }

    private static func update(_ queueID: String, media: String, waiting: Double) -> QueueObservationUpdate {
        var update = QueueObservationUpdate(queueID: queueID)
        var counts = QueueObservationUpdate.Counts()
        counts.waiting = waiting
        update.byMedia[media] = counts
        return update
    }
}
