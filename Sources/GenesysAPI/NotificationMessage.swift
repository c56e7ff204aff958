import GenesysBase
import GenesysJSON

/// One text frame of a Genesys notification channel (`{"topicName":…,"eventBody":…}`), as the exporter uses it:
/// the channel's heartbeat and pong, the service's close notice, a queue's observation counts, a user's routing
/// status or presence, or anything else.
package enum NotificationMessage: Sendable, Equatable {
    /// `channel.metadata` "WebSocket Heartbeat", every 30 seconds.
    case heartbeat
    /// `channel.metadata` "pong", the answer to the client's `{"message":"ping"}`.
    case pong
    /// `v2.system.socket_closing`: the service will drop this socket soon (maintenance); move to a new channel.
    case socketClosing
    /// `v2.analytics.queues.{id}.observations` (the SDK's `V2QueueObservationObservationCountNotification`).
    case queueObservation(QueueObservationUpdate)
    /// `v2.users.{id}.routingStatus` (the SDK's `UserRoutingStatusUserRoutingStatus`).
    case userRoutingStatus(UserRoutingStatusUpdate)
    /// `v2.users.{id}.presence` (the SDK's `PresenceEventUserPresence`).
    case userPresence(UserPresenceUpdate)
    /// A topic the exporter does not follow, or a frame without one (subscription acknowledgements).
    case other

    /// The `kind` label of `genesys_notification_messages_total` for this message.
    package var kind: String {
        switch self {
        case .heartbeat: "heartbeat"
        case .pong: "pong"
        case .socketClosing: "socket_closing"
        case .queueObservation: "queue_observation"
        case .userRoutingStatus: "user_routing_status"
        case .userPresence: "user_presence"
        case .other: "other"
        }
    }

    static let observationTopicPrefix = "v2.analytics.queues."
    static let observationTopicSuffix = ".observations"

    /// The topic carrying a queue's observation counts.
    package static func observationTopic(queueID: String) -> String {
        // Made to size: a stream keeps one per queue, and `+` left room to grow (168 bytes a topic, not 112).
        var topic = ""
        topic.reserveCapacity(
            observationTopicPrefix.utf8.count + queueID.utf8.count + observationTopicSuffix.utf8.count)
        topic += observationTopicPrefix
        topic += queueID
        topic += observationTopicSuffix
        return topic
    }

    /// The topic carrying a user's routing status.
    package static func routingStatusTopic(userID: String) -> String {
        UserNotification.topicPrefix + userID + UserNotification.routingStatusSuffix
    }

    /// The topic carrying a user's presence.
    package static func presenceTopic(userID: String) -> String {
        UserNotification.topicPrefix + userID + UserNotification.presenceSuffix
    }

    /// Reads one text frame; a frame that is not JSON, or a known topic whose body does not have its shape, throws.
    package init(frame: some Collection<UInt8>) throws(JSONDecodingError) {
        let json: JSONCursor
        do { json = try JSONTape.document(frame) } catch {
            throw .invalidValue(path: "$", reason: "not JSON: \(error)")
        }
        guard let topic = try json.optionalString("topicName") else {
            self = .other
            return
        }
        switch topic {
        case "channel.metadata":
            let message = try json.optionalField("eventBody")?.optionalString("message")
            self = message == "pong" ? .pong : .heartbeat
        case "v2.system.socket_closing":
            self = .socketClosing
        default:
            if let queueID = Self.observedQueueID(topic: topic) {
                self = .queueObservation(
                    try QueueObservationUpdate(queueID: queueID, body: try json.field("eventBody")))
            } else if let userID = UserNotification.userID(topic: topic, suffix: UserNotification.routingStatusSuffix) {
                self = .userRoutingStatus(
                    try UserRoutingStatusUpdate(userID: userID, body: try json.field("eventBody")))
            } else if let userID = UserNotification.userID(topic: topic, suffix: UserNotification.presenceSuffix) {
                self = .userPresence(try UserPresenceUpdate(userID: userID, body: try json.field("eventBody")))
            } else {
                self = .other
            }
        }
    }

    /// The queue id of an observations topic; nil for another topic or an id that cannot be a Genesys id.
    static func observedQueueID(topic: String) -> String? {
        guard topic.hasPrefix(observationTopicPrefix), topic.hasSuffix(observationTopicSuffix) else { return nil }
        let id = topic.dropFirst(observationTopicPrefix.utf8.count).dropLast(observationTopicSuffix.utf8.count)
        guard (1...64).contains(id.utf8.count), id.utf8.allSatisfy({ isIdentifierByte($0, underscore: false) })
        else { return nil }
        return String(id)
    }

    /// The bytes Genesys ids are made of (letters, digits, `-`; `_` too where asked): an id from a message or an
    /// answer that reaches a path, a label or a log line has only these.
    package static func isIdentifierByte(_ byte: UInt8, underscore: Bool) -> Bool {
        byte == UInt8(ascii: "-") || (underscore && byte == UInt8(ascii: "_"))
            || (byte | 0x20 >= 97 && byte | 0x20 <= 122) || (byte >= 48 && byte <= 57)
    }
}

/// A queue's conversation counts by media type as one observation notification carries them: the whole current
/// state of that queue, so a media type the message leaves out has nothing waiting, interacting or alerting.
package struct QueueObservationUpdate: Sendable, Equatable {
    package struct Counts: Sendable, Equatable {
        package var waiting: Double = 0
        package var interacting: Double = 0
        package var alerting: Double = 0
        /// How long the longest-waiting conversation has waited (`oLongestWaiting`'s calculatedMetricValue), in ms.
        package var longestWaitingMillis: Int64?

        package init() {}
    }

    package let queueID: String
    package var byMedia: [String: Counts] = [:]

    /// Far above any real queue (as `QueueObservations.plausibleCount`).
    static let plausibleCount: ClosedRange<Double> = 0...1e9
    /// Ten years in milliseconds: a longer wait is not a wait.
    static let plausibleWaitMillis: ClosedRange<Double> = 0...315_576_000_000

    package init(queueID: String) { self.queueID = queueID }

    init(queueID: String, body: JSONCursor) throws(JSONDecodingError) {
        self.queueID = queueID
        // Walked without collecting the arrays first: at thousands of messages a second, every allocation shows.
        var byMedia: [String: Counts] = [:]
        try body.optionalField("results")?.forEachElement { group throws(JSONDecodingError) in
            let media = Self.mediaLabel(try group.optionalString("mediaType"))
            var counts = byMedia[media] ?? Counts()
            try group.optionalField("data")?.forEachElement { datum throws(JSONDecodingError) in
                let count = try datum.optionalDouble("count", in: Self.plausibleCount) ?? 0
                switch try datum.string("metric") {
                case "oWaiting": counts.waiting += count
                case "oInteracting": counts.interacting += count
                case "oAlerting": counts.alerting += count
                case "oLongestWaiting":
                    if let value = try datum.optionalDouble("calculatedMetricValue", in: Self.plausibleWaitMillis) {
                        counts.longestWaitingMillis = max(counts.longestWaitingMillis ?? 0, Int64(value))
                    }
                default: break  // oFlow, oLongestInteracting and whatever Genesys adds later
                }
            }
            byMedia[media] = counts
        }
        self.byMedia = byMedia
    }

    /// The `media_type` label: Genesys' lower-case media names as the observations query reports them; anything
    /// else (long, odd characters) is `unknown`, so a hostile message cannot mint labels.
    static func mediaLabel(_ raw: String?) -> String {
        guard let raw, (1...32).contains(raw.utf8.count),
            raw.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: "_") })
        else { return "unknown" }
        return raw
    }
}
