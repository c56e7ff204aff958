import GenesysJSON

/// A user's routing status as `v2.users.{id}.routingStatus` carries it (the SDK's
/// `UserRoutingStatusUserRoutingStatus`): the whole current status, replacing the last one.
package struct UserRoutingStatusUpdate: Sendable, Equatable {
    package let userID: String
    /// An SDK `RoutingStatus.status` value as sent, or `UNKNOWN` for anything that cannot be one (long, odd bytes),
    /// so a hostile message can neither mint labels nor make the exporter keep large strings per user.
    package let status: String

    package init(userID: String, status: String) {
        self.userID = userID
        self.status = status
    }

    init(userID: String, body: JSONCursor) throws(JSONDecodingError) {
        self.userID = userID
        status = UserNotification.enumValue(try body.field("routingStatus").optionalString("status"))
    }
}

/// A user's presence as `v2.users.{id}.presence` carries it (the SDK's `PresenceEventUserPresence`): the org presence
/// id and its system presence, in the analytics spelling (`ON_QUEUE`, not `On Queue` or `OnQueue`).
package struct UserPresenceUpdate: Sendable, Equatable {
    package let userID: String
    /// The org presence id, when it looks like one.
    package let presenceID: String?
    /// One of the system presences the analytics API reports, nil for a value that is none of them.
    package let systemPresence: String?
    /// False for a presence from another source than the user's primary one (an integration's): not the user's
    /// presence, so it is not applied.
    package let primary: Bool

    package init(userID: String, presenceID: String?, systemPresence: String?, primary: Bool = true) {
        self.userID = userID
        self.presenceID = presenceID
        self.systemPresence = systemPresence
        self.primary = primary
    }

    init(userID: String, body: JSONCursor) throws(JSONDecodingError) {
        self.userID = userID
        let definition = try body.field("presenceDefinition")
        let id = try definition.optionalString("id")
        presenceID = id.flatMap { UserNotification.isIdentifier($0) ? $0 : nil }
        systemPresence = UserNotification.systemPresence(try definition.optionalString("systemPresence"))
        primary = try body.optionalField("primary")?.bool() ?? true
    }
}

/// The user topics' names and the bounds their values are read under.
enum UserNotification {
    static let topicPrefix = "v2.users."
    static let routingStatusSuffix = ".routingStatus"
    static let presenceSuffix = ".presence"
    /// The system presences the analytics API reports (`oUserPresences` mapped, `tSystemPresence`).
    static let systemPresences: Set<String> = [
        "AVAILABLE", "AWAY", "BUSY", "OFFLINE", "IDLE", "ON_QUEUE", "MEAL", "TRAINING", "MEETING", "BREAK",
    ]

    /// The user id of a `v2.users.{id}<suffix>` topic; nil for another topic or an id that cannot be a Genesys id.
    static func userID(topic: String, suffix: String) -> String? {
        guard topic.hasPrefix(topicPrefix), topic.hasSuffix(suffix) else { return nil }
        let id = String(topic.dropFirst(topicPrefix.utf8.count).dropLast(suffix.utf8.count))
        return isIdentifier(id) ? id : nil
    }

    static func isIdentifier(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { NotificationMessage.isIdentifierByte($0, underscore: false) }
    }

    /// An upper-case enum value as sent (1 to 32 of `A`–`Z` and `_`), else `UNKNOWN`.
    static func enumValue(_ raw: String?) -> String {
        guard let raw, (1...32).contains(raw.utf8.count),
            raw.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || $0 == UInt8(ascii: "_") })
        else { return "UNKNOWN" }
        return raw
    }

    /// `Available`, `On Queue`, `OnQueue`, `ON_QUEUE`… as the analytics spelling; nil for anything else.
    static func systemPresence(_ raw: String?) -> String? {
        guard let raw, raw.utf8.count <= 32 else { return nil }
        let letters = String(raw.uppercased().filter { $0.isLetter })
        let spelled = letters == "ONQUEUE" ? "ON_QUEUE" : letters
        return systemPresences.contains(spelled) ? spelled : nil
    }
}
