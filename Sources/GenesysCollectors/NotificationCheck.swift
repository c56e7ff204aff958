import GenesysAPI
import GenesysJSON
import GenesysNotifications

/// `check` for a collector that streams: creates a channel and opens its socket (once, whichever collector asks
/// first), subscribes one of the collector's topics, checks the channel and removes the subscription.
enum NotificationCheck {
    static let endpoints: [Endpoint] = [
        .notificationChannels, .notificationSubscriptions, .notificationChannelCheck,
        .notificationSubscriptionsRemoval,
    ]

    /// Nil when there is nothing to ask: no channel (its creation failed or was checked above) or no topic.
    static func check(
        _ endpoint: Endpoint, api: GenesysAPIClient, probe: inout CheckProbe, topic: String, permission: String
    ) async throws(APIError) -> APIResult? {
        switch endpoint {
        case .notificationChannels:
            guard probe.notificationChannelID == nil else { return nil }
            let result = try await api.post(endpoint, body: [])
            let channel = try api.decode(endpoint, result) { json throws(JSONDecodingError) in
                try NotificationChannel(json)
            }
            do {
                let connection = try await WebSocketConnection.connect(channel.connectURI, caFile: probe.extraCAFile)
                await connection.close()
            } catch {
                throw APIError(
                    endpoint: endpoint, reason: .network,
                    message: "the channel was created but its WebSocket could not be opened: \(error)")
            }
            probe.notificationChannelID = channel.id
            return result
        case .notificationSubscriptions:
            guard let channelID = probe.notificationChannelID else { return nil }
            let result = try await api.put(
                endpoint, pathParameters: ["channelId": channelID],
                body: Array("[{\"id\":\(JSONText.quoted(topic))}]".utf8))
            let topics = try api.decode(endpoint, result) { json throws(JSONDecodingError) in try ChannelTopics(json) }
            guard topics.rejected.isEmpty else {
                throw APIError(
                    endpoint: endpoint, reason: .forbidden,
                    message: "Genesys refused the topic \(topic): the role needs \(permission)")
            }
            return result
        default:
            guard let channelID = probe.notificationChannelID else { return nil }
            return APIResult(bodiless: try await api.perform(endpoint, pathParameters: ["channelId": channelID]))
        }
    }
}
