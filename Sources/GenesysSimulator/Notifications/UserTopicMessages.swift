import FoundationEssentials

/// The messages of the user topics, shaped as the SDK's models: `UserRoutingStatusUserRoutingStatus` and
/// `PresenceEventUserPresence`.
extension NotificationMessages {
    /// The SDK's spelling (`OrganizationPresenceDefinition.systemPresence`) of each analytics system presence.
    static let sdkSystemPresences: [String: String] = [
        "AVAILABLE": "Available", "AWAY": "Away", "BUSY": "Busy", "OFFLINE": "Offline", "IDLE": "Idle",
        "ON_QUEUE": "OnQueue", "MEAL": "Meal", "TRAINING": "Training", "MEETING": "Meeting", "BREAK": "Break",
    ]

    /// The `eventBody` of a user topic's message. A presence id the org does not define (only a test pins one) goes
    /// out without `systemPresence`, as there is none to name.
    static func userBody(_ topic: UserTopic, state: ObservedUserState) -> [String: Any] {
        switch topic.kind {
        case .routingStatus:
            return [
                "id": topic.userID,
                "routingStatus": [
                    "status": state.routingStatus.status,
                    "startTime": UTCTimestamp.format(millis: state.routingStatus.sinceMillis),
                ],
            ]
        case .presence:
            var definition: [String: Any] = ["id": state.presence.id]
            if let systemPresence = state.systemPresence.flatMap({ sdkSystemPresences[$0] }) {
                definition["systemPresence"] = systemPresence
            }
            return [
                "source": "PURECLOUD", "presenceDefinition": definition, "primary": true, "message": "",
                "modifiedDate": UTCTimestamp.format(millis: state.presence.sinceMillis),
            ]
        }
    }

    /// A whole user topic message, with a fresh correlation id.
    static func user(_ topic: UserTopic, state: ObservedUserState) -> String {
        let message: [String: Any] = [
            "topicName": topic.name, "version": "2", "eventBody": userBody(topic, state: state),
            "metadata": ["CorrelationId": UUID().uuidString.lowercased()],
        ]
        return SimulatorJSON.encode(message) ?? "{}"
    }
}
