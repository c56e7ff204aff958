import FoundationEssentials

/// A queue's `oWaiting`, `oInteracting`, `oAlerting` and oldest waiting conversation per media type, read from
/// the same `ObservationReading` as the observation query: what an observation message carries, and what is
/// compared to decide whether the values changed.
struct QueueObservationValues: Sendable, Equatable {
    struct Media: Sendable, Equatable {
        let mediaType: String
        let waiting: Int
        let interacting: Int
        let alerting: Int
        /// When the longest-waiting conversation started waiting (Unix ms; the earliest `observationDate` of
        /// `oWaiting`'s detail), nil when nothing waits.
        let oldestWaitingMillis: Int64?
    }

    /// One per media type, in `ObservationModel.mediaTypes` order.
    let media: [Media]

    init(queueIndex: Int, queueID: String, reading: ObservationReading) {
        media = ObservationModel.mediaTypes.map { mediaType in
            func value(_ metric: String) -> Int {
                reading.mediaValue(queueIndex: queueIndex, queueID: queueID, mediaType: mediaType, metric: metric)
            }
            let oldest = reading.waitingConversations(queueIndex: queueIndex, queueID: queueID, mediaType: mediaType)
                .first?.observationMillis
            return Media(
                mediaType: mediaType, waiting: value("oWaiting"), interacting: value("oInteracting"),
                alerting: value("oAlerting"), oldestWaitingMillis: oldest)
        }
    }
}

/// The JSON text of each message the notification service sends (one JSON object per text frame).
enum NotificationMessages {
    static let heartbeat = metadata("WebSocket Heartbeat")
    static let pong = metadata("pong")
    static let closingTopic = "v2.system.socket_closing"
    static let closingMessage = "The socket is closing; reconnect to the channel or create a new one."

    /// `{"topicName":"channel.metadata","eventBody":{"message":…}}`.
    private static func metadata(_ message: String) -> String {
        SimulatorJSON.encode(["topicName": "channel.metadata", "eventBody": ["message": message]]) ?? "{}"
    }

    /// `v2.system.socket_closing` with a `SystemMessageSystemMessage` body.
    static func socketClosing(_ message: String = closingMessage) -> String {
        SimulatorJSON.encode(["topicName": closingTopic, "eventBody": ["message": message]]) ?? "{}"
    }

    /// The `eventBody` of a queue observation message (`V2QueueObservationObservationCountNotification`): one
    /// group per media type; `oLongestWaiting` (its count the waiting conversations, its value how long, in ms,
    /// the oldest has waited at `wallMillis`) only when something waits.
    static func observationBody(_ values: QueueObservationValues, wallMillis: Int64) -> String {
        let results: [[String: Any]] = values.media.map { media in
            var data: [[String: Any]] = [
                ["metric": "oWaiting", "count": media.waiting],
                ["metric": "oInteracting", "count": media.interacting],
                ["metric": "oAlerting", "count": media.alerting],
            ]
            if let oldest = media.oldestWaitingMillis, media.waiting > 0 {
                data.append([
                    "metric": "oLongestWaiting", "count": media.waiting,
                    "calculatedMetricValue": max(0, wallMillis - oldest),
                ])
            }
            return ["mediaType": media.mediaType, "data": data]
        }
        return SimulatorJSON.encode(["results": results]) ?? "{}"
    }

    /// A whole observation message around an encoded `eventBody`, with a fresh correlation id (cheap enough to
    /// make thousands of for a flood).
    static func observation(queueID: String, body: String) -> String {
        let topic = SimulatorJSON.encode(NotificationTopic.observations(queueID: queueID)) ?? "\"\""
        let correlation = UUID().uuidString.lowercased()
        return #"{"eventBody":"# + body + #","metadata":{"CorrelationId":""# + correlation + #""},"topicName":"#
            + topic + #","version":"2"}"#
    }
}
