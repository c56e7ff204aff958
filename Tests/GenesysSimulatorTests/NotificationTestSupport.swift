import Foundation
import GenesysSimulator
import NIOConcurrencyHelpers
import NIOCore
import SimulatorTestSupport

/// The simulator's monotonic clock (`SimulatorConfiguration.now`) moved forward by hand: real time plus a skew.
final class SkewedClock: Sendable {
    private let skew = NIOLockedValueBox(TimeAmount.zero)

    func now() -> NIODeadline { .now() + skew.withLockedValue { $0 } }

    func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        skew.withLockedValue { $0 = $0 + .seconds(seconds) + .nanoseconds(attoseconds / 1_000_000_000) }
    }
}

/// The observation topic of a queue.
func observationTopic(_ queueID: String) -> String { "v2.analytics.queues.\(queueID).observations" }

/// The routing status topic of a user.
func routingStatusTopic(_ userID: String) -> String { "v2.users.\(userID).routingStatus" }

/// The presence topic of a user.
func presenceTopic(_ userID: String) -> String { "v2.users.\(userID).presence" }

extension GenesysSimulator {
    /// An authenticated request with an optional JSON body.
    func api(_ method: String, _ path: String, token: String, json: Any? = nil) async throws -> HTTPReply {
        var headers = [bearer(token)]
        var body: [UInt8] = []
        if let json {
            headers.append(("Content-Type", "application/json"))
            body = Array(try JSONSerialization.data(withJSONObject: json))
        }
        return try await request(method, path, headers: headers, body: body)
    }

    /// `POST /api/v2/notifications/channels`: the channel's id and connect URI.
    func createChannel(token: String) async throws -> (id: String, connectURI: String) {
        let reply = try await api("POST", "/api/v2/notifications/channels", token: token)
        guard reply.status == 200, let id = reply.json?["id"] as? String,
            let uri = reply.json?["connectUri"] as? String
        else { throw TestFailure("channel creation answered \(reply.status): \(reply.text)") }
        return (id, uri)
    }

    /// `PUT` (or `POST`) `…/subscriptions` with these topics.
    func subscribe(
        _ channelID: String, _ topics: [String], token: String, method: String = "PUT"
    ) async throws -> HTTPReply {
        try await api(
            method, "/api/v2/notifications/channels/\(channelID)/subscriptions", token: token,
            json: topics.map { ["id": $0] })
    }

    /// A channel subscribed to these queues' observations, with a socket connected to it.
    func subscribedSocket(
        queueIDs: [String], token: String
    ) async throws -> (channelID: String, socket: NotificationSocketClient) {
        try await subscribedSocket(topics: queueIDs.map(observationTopic), token: token)
    }

    /// A channel subscribed to these topics, with a socket connected to it.
    func subscribedSocket(
        topics: [String], token: String
    ) async throws -> (channelID: String, socket: NotificationSocketClient) {
        let channel = try await createChannel(token: token)
        let reply = try await subscribe(channel.id, topics, token: token)
        guard reply.status == 200 else { throw TestFailure("subscription answered \(reply.status): \(reply.text)") }
        let socket = try await NotificationSocketClient.connect(channel.connectURI)
        guard
            await eventually(
                timeout: .seconds(20), { self.notificationChannels().first { $0.id == channel.id }?.connected == true })
        else {
            throw TestFailure("the simulator never saw the socket")
        }
        return (channel.id, socket)
    }
}

extension GenesysSimulator {
    /// Sends a marker frame to every socket and waits until `socket` has it: whatever the simulator queued for the
    /// socket before has arrived by then (a socket's messages are queued in order on its event loop).
    func flushNotifications(to socket: NotificationSocketClient) async throws {
        let marker = "flush \(UUID().uuidString)"
        sendRawNotificationFrame(marker)
        guard await socket.waitFor(where: { $0.kind == .text && $0.text == marker }) != nil else {
            throw TestFailure("the marker frame never arrived")
        }
    }
}

extension NotificationSocketClient {
    /// The `v2.users.…` messages received so far.
    var userMessages: [ReceivedFrame] { frames().filter { $0.topicName?.hasPrefix("v2.users.") == true } }
}

extension HTTPReply {
    /// `entities` of a listing, as objects.
    var entities: [[String: Any]] { json?["entities"] as? [[String: Any]] ?? [] }
}

extension ReceivedFrame {
    /// `eventBody.results` of an observation message by media type: metric name → the datum.
    var observationGroups: [String: [String: [String: Any]]] {
        let results = (json?["eventBody"] as? [String: Any])?["results"] as? [[String: Any]] ?? []
        var groups: [String: [String: [String: Any]]] = [:]
        for result in results {
            guard let mediaType = result["mediaType"] as? String else { continue }
            let data = result["data"] as? [[String: Any]] ?? []
            groups[mediaType] = Dictionary(
                data.compactMap { datum in (datum["metric"] as? String).map { ($0, datum) } },
                uniquingKeysWith: { first, _ in first })
        }
        return groups
    }
}
