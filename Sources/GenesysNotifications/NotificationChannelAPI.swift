import GenesysAPI
import GenesysBase
import GenesysJSON
import GenesysTelemetry

/// A notification channel as `POST /api/v2/notifications/channels` answers (the SDK's `Channel`).
package struct NotificationChannel: Sendable, Equatable {
    package let id: String
    package let connectURI: String
    /// Unix ms at which Genesys drops the channel; nil when the answer has none.
    package let expiresUnixMillis: Int64?

    /// The documented life of a channel, used when the answer gives none or an implausible one.
    package static let documentedLife: Duration = .seconds(24 * 3600)

    package init(_ json: JSONCursor) throws(JSONDecodingError) {
        let idField = try json.field("id")
        id = try idField.string()
        // Ids such as `streaming-0-fmtdmf8cdis7jh14udg5p89t6z`: it reaches a path and log lines.
        guard (1...128).contains(id.utf8.count),
            id.utf8.allSatisfy({ NotificationMessage.isIdentifierByte($0, underscore: true) })
        else { throw .invalidValue(path: idField.path, reason: "not a channel id") }
        let uri = try json.field("connectUri")
        connectURI = try uri.string()
        guard (1...2048).contains(connectURI.utf8.count) else {
            throw .invalidValue(path: uri.path, reason: "not a URL of at most 2048 bytes")
        }
        expiresUnixMillis = try json.optionalString("expires").flatMap { UTCTimestamp.parse($0) }
    }

    /// How long the channel lives from `nowUnixMillis`: its `expires`, between a minute and the documented 24 hours
    /// (anything else is not believed).
    package func life(fromUnixMillis nowUnixMillis: Int64) -> Duration {
        guard let expiresUnixMillis, expiresUnixMillis > nowUnixMillis else { return Self.documentedLife }
        let left = Duration.milliseconds(expiresUnixMillis - nowUnixMillis)
        return min(max(left, .seconds(60)), Self.documentedLife)
    }
}

/// The answer to a subscription change (the SDK's `ChannelTopicEntityListing`): which topics Genesys refused.
package struct ChannelTopics: Sendable, Equatable {
    package var permitted = 0
    package var rejected: [String] = []

    package init(_ json: JSONCursor) throws(JSONDecodingError) {
        for topic in try json.optionalField("entities")?.elements() ?? [] {
            if try topic.optionalString("state") == "Rejected" {
                // Kept only for the log line, at most a few.
                if rejected.count < 5 {
                    rejected.append(SafeExcerpt.of(try topic.optionalString("id") ?? "?", limit: 120))
                }
            } else {
                permitted += 1
            }
        }
    }
}

extension Endpoint {
    /// Any valid token may create channels; each topic then needs the permission its data needs.
    package static let notificationChannels = Endpoint(
        method: "POST", template: "/api/v2/notifications/channels", permission: nil,
        answer: AnswerDecoder(fuzzName: "notification-channel") { json throws(JSONDecodingError) in
            try NotificationChannel(json)
        })

    package static let notificationSubscriptions = Endpoint(
        method: "PUT", template: "/api/v2/notifications/channels/{channelId}/subscriptions", permission: nil,
        answer: AnswerDecoder(fuzzName: "channel-topics") { json throws(JSONDecodingError) in
            try ChannelTopics(json)
        })

    /// Channels cannot be deleted; their subscriptions can, which the exporter does when it stops.
    package static let notificationSubscriptionsRemoval = Endpoint(
        method: "DELETE", template: "/api/v2/notifications/channels/{channelId}/subscriptions", permission: nil)

    /// Whether a channel still exists (after a dropped socket: reconnect to it rather than create another).
    package static let notificationChannelCheck = Endpoint(
        method: "HEAD", template: "/api/v2/notifications/channels/{channelId}", permission: nil)
}

/// The channel calls the stream makes, all through the org's API client (token, metrics, rate-limit headroom).
package enum NotificationChannelAPI {
    package static func create(_ api: GenesysAPIClient) async throws(APIError) -> NotificationChannel {
        let result = try await api.post(.notificationChannels, body: [])
        return try api.decode(.notificationChannels, result) { json throws(JSONDecodingError) in
            try NotificationChannel(json)
        }
    }

    /// Replaces the channel's topics with `topics`.
    package static func subscribe(
        _ api: GenesysAPIClient, channelID: String, topics: [String]
    ) async throws(APIError) -> ChannelTopics {
        let body = "[" + topics.map { "{\"id\":\(JSONText.quoted($0))}" }.joined(separator: ",") + "]"
        let result = try await api.put(
            .notificationSubscriptions, pathParameters: ["channelId": channelID], body: Array(body.utf8))
        return try api.decode(.notificationSubscriptions, result) { json throws(JSONDecodingError) in
            try ChannelTopics(json)
        }
    }

    package static func unsubscribeAll(_ api: GenesysAPIClient, channelID: String) async throws(APIError) {
        _ = try await api.perform(.notificationSubscriptionsRemoval, pathParameters: ["channelId": channelID])
    }

    /// True when the channel still exists; a 404 is false, other failures throw.
    package static func exists(_ api: GenesysAPIClient, channelID: String) async throws(APIError) -> Bool {
        do {
            _ = try await api.perform(.notificationChannelCheck, pathParameters: ["channelId": channelID])
            return true
        } catch {
            if error.reason == .notFound { return false }
            throw error
        }
    }
}
