/// The topics the simulator knows: `v2.analytics.queues.{queueId}.observations`, `v2.users.{userId}.routingStatus`
/// and `v2.users.{userId}.presence`.
enum NotificationTopic {
    private static let queuePrefix = "v2.analytics.queues."
    private static let queueSuffix = ".observations"

    static func observations(queueID: String) -> String { queuePrefix + queueID + queueSuffix }

    /// The queue id of a queue observation topic, nil for any other topic.
    static func queueID(of topic: String) -> String? {
        segment(of: topic, prefix: queuePrefix, suffix: queueSuffix)
    }

    /// The user topic a topic names, nil for any other topic.
    static func userTopic(of topic: String) -> UserTopic? {
        for kind in UserTopic.Kind.allCases {
            if let userID = segment(of: topic, prefix: UserTopic.prefix, suffix: kind.suffix) {
                return UserTopic(userID: userID, kind: kind)
            }
        }
        return nil
    }

    /// What sits between `prefix` and `suffix`: one non-empty segment without dots, nil otherwise.
    private static func segment(of topic: String, prefix: String, suffix: String) -> String? {
        guard topic.hasPrefix(prefix), topic.hasSuffix(suffix), topic.count > prefix.count + suffix.count else {
            return nil
        }
        let id = topic.dropFirst(prefix.count).dropLast(suffix.count)
        return id.contains(".") ? nil : String(id)
    }
}

/// A user's routing status or presence topic.
struct UserTopic: Sendable, Hashable {
    enum Kind: Sendable, CaseIterable {
        /// `v2.users.{userId}.routingStatus`, eventBody `UserRoutingStatusUserRoutingStatus`.
        case routingStatus
        /// `v2.users.{userId}.presence`, eventBody `PresenceEventUserPresence`.
        case presence

        var suffix: String {
            switch self {
            case .routingStatus: ".routingStatus"
            case .presence: ".presence"
            }
        }

        /// What its messages count as.
        var messageKind: NotificationMessageKind {
            switch self {
            case .routingStatus: .userRoutingStatus
            case .presence: .userPresence
            }
        }
    }

    static let prefix = "v2.users."

    let userID: String
    let kind: Kind

    var name: String { Self.prefix + userID + kind.suffix }
}
