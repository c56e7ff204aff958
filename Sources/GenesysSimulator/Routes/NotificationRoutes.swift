/// The notification service's REST side: `POST|GET /api/v2/notifications/channels`, `HEAD …/channels/{channelId}`
/// and `GET|PUT|POST|DELETE …/channels/{channelId}/subscriptions`, per OAuth client (token subject), without a
/// permission (the real API asks for none); and `GET /channels/{channelId}` when it is not a WebSocket upgrade of a
/// live channel (404). The sockets and messages are in `Notifications/`.
enum NotificationRoutes {
    static let channelsPath = "/api/v2/notifications/channels"
    static let channelTemplate = "/api/v2/notifications/channels/{channelId}"
    static let subscriptionsTemplate = "/api/v2/notifications/channels/{channelId}/subscriptions"

    /// `Channel`: `{"connectUri","id","expires"}`.
    static func channelObject(_ channel: NotificationChannel, connectURI: String) -> [String: Any] {
        ["connectUri": connectURI, "id": channel.id, "expires": channel.expiresText]
    }

    static func create(_ core: SimulatorCore, owner: TokenSubject) -> SimulatorResponse {
        let wallMillis = Int64((core.wallNow() * 1000).rounded())
        let (channel, removed, uri) = core.withNotifications { state, now in
            let (channel, removed) = state.notifications.create(
                owner: owner, now: now, wallMillis: wallMillis,
                lifetime: state.configuration.notificationChannelLifetime)
            return (channel, removed, state.notifications.connectURI(channel.id))
        }
        removed?.close(.normalClosure)
        return .json(200, channelObject(channel, connectURI: uri))
    }

    /// `ChannelEntityListing`: this client's live channels, oldest first.
    static func list(_ core: SimulatorCore, owner: TokenSubject) -> SimulatorResponse {
        let entities = core.withNotifications { state, _ in
            state.notifications.channels.filter { $0.owner == owner }.map {
                channelObject($0, connectURI: state.notifications.connectURI($0.id))
            }
        }
        return .json(200, ["entities": entities])
    }

    /// 200 when the channel exists and has not expired, 404 otherwise; no body either way.
    static func head(_ core: SimulatorCore, owner: TokenSubject, id: String) -> SimulatorResponse {
        let found = core.withNotifications { state, now in
            state.notifications.use(id, owner: owner, now: now) { _ in true } ?? false
        }
        return SimulatorResponse(status: found ? 200 : 404, body: [])
    }

    /// `ChannelTopicEntityListing` of the channel's topics.
    static func subscriptions(_ core: SimulatorCore, owner: TokenSubject, id: String) -> SimulatorResponse {
        let topics = core.withNotifications { state, now in
            state.notifications.use(id, owner: owner, now: now) { $0.topics }
        }
        guard let topics else { return channelNotFound(id) }
        return .json(200, ["entities": topics.map(permitted)])
    }

    /// PUT (`replace`) or POST: the channel's topics after the change, the request's rejected ones listed too.
    static func subscribe(
        _ core: SimulatorCore, _ request: SimulatorRequest, owner: TokenSubject, id: String, replace: Bool
    ) -> SimulatorResponse {
        core.withNotifications { state, now in
            guard let channel = state.notifications.channel(id, owner: owner, now: now) else {
                return channelNotFound(id)
            }
            guard let requested = topics(in: request.body) else {
                return ErrorBodies.badRequest(
                    "Unable to parse the request body as a list of ChannelTopic: expected [{\"id\":\"<topic>\"}, …].")
            }
            var accepted: [String] = []
            var rejected: [[String: Any]] = []
            for topic in requested {
                if let reason = rejection(of: topic, queues: state.catalog, users: state.users) {
                    rejected.append(["id": topic, "state": "Rejected", "rejectionReason": reason])
                } else {
                    accepted.append(topic)
                }
            }
            let kept = replace ? [] : channel.topics
            let topics = kept + accepted.filter { !kept.contains($0) }
            guard topics.count <= NotificationBook.topicsPerChannel else {
                return ErrorBodies.badRequest(
                    "A channel may subscribe to at most \(NotificationBook.topicsPerChannel) topics; "
                        + "this request would leave it with \(topics.count).")
            }
            // A new topic's current value is recorded, not sent: only later changes are.
            let queueIDs = Set(topics.compactMap(NotificationTopic.queueID(of:)))
            let added = queueIDs.filter { channel.sentValues[$0] == nil }
            let values = core.currentObservationValues(Array(added), state: state)
            let userTopics = Set(topics.compactMap(NotificationTopic.userTopic(of:)))
            let addedUsers = userTopics.filter { channel.sentUserStates[$0] == nil }
            let userStates = core.currentUserStates(Array(addedUsers), state: state)
            state.notifications.use(id, owner: owner, now: now) { channel in
                channel.topics = topics
                channel.sentValues = channel.sentValues.filter { queueIDs.contains($0.key) }.merging(values) { $1 }
                channel.sentUserStates = channel.sentUserStates.filter { userTopics.contains($0.key) }
                    .merging(userStates) { $1 }
            }
            return .json(200, ["entities": topics.map(permitted) + rejected])
        }
    }

    /// 204, the channel's topics all gone.
    static func unsubscribeAll(_ core: SimulatorCore, owner: TokenSubject, id: String) -> SimulatorResponse {
        let found = core.withNotifications { state, now in
            state.notifications.use(id, owner: owner, now: now) { channel in
                channel.topics = []
                channel.sentValues = [:]
                channel.sentUserStates = [:]
                return true
            } ?? false
        }
        return found ? SimulatorResponse(status: 204, body: []) : channelNotFound(id)
    }

    /// The distinct topic ids of a `[{"id":…}, …]` body, in order; nil when the body is anything else.
    static func topics(in body: [UInt8]) -> [String]? {
        guard let list = JSONBody.decode(body) as? [Any] else { return nil }
        var topics: [String] = []
        for item in list {
            guard let object = item as? [String: Any], let topic = object["id"] as? String else { return nil }
            if !topics.contains(topic) { topics.append(topic) }
        }
        return topics
    }

    /// Why a topic cannot be subscribed, nil when it can: only the observations of a queue in the catalog and the
    /// routing status or presence of a known user.
    static func rejection(of topic: String, queues: QueueCatalog, users: UserCatalog) -> String? {
        if let queueID = NotificationTopic.queueID(of: topic) {
            guard queues.index(ofQueueID: queueID) != nil else {
                return "The queue \(queueID) does not exist or you do not have permission to view it."
            }
            return nil
        }
        if let userTopic = NotificationTopic.userTopic(of: topic) {
            guard users.index(ofID: userTopic.userID) != nil else {
                return "The user \(userTopic.userID) does not exist or you do not have permission to view it."
            }
            return nil
        }
        return "The topic \(topic) is not an available topic."
    }

    private static func permitted(_ topic: String) -> [String: Any] {
        ["id": topic, "state": "Permitted"]
    }

    private static func channelNotFound(_ id: String) -> SimulatorResponse {
        ErrorBodies.api(404, code: "not.found", message: "The channel \(id) was not found or has expired.")
    }
}

extension NotificationRoutes: SimulatorRouteFile {
    static let routes = [
        SimulatorRoute("POST", channelsPath, permission: nil) { core, _, owner, _ in create(core, owner: owner) },
        SimulatorRoute("GET", channelsPath, permission: nil) { core, _, owner, _ in list(core, owner: owner) },
        SimulatorRoute("HEAD", channelTemplate, permission: nil) { core, _, owner, parameters in
            head(core, owner: owner, id: parameters["channelId"] ?? "")
        },
        SimulatorRoute("GET", subscriptionsTemplate, permission: nil) { core, _, owner, parameters in
            subscriptions(core, owner: owner, id: parameters["channelId"] ?? "")
        },
        SimulatorRoute("PUT", subscriptionsTemplate, permission: nil) { core, request, owner, parameters in
            subscribe(core, request, owner: owner, id: parameters["channelId"] ?? "", replace: true)
        },
        SimulatorRoute("POST", subscriptionsTemplate, permission: nil) { core, request, owner, parameters in
            subscribe(core, request, owner: owner, id: parameters["channelId"] ?? "", replace: false)
        },
        SimulatorRoute("DELETE", subscriptionsTemplate, permission: nil) { core, _, owner, parameters in
            unsubscribeAll(core, owner: owner, id: parameters["channelId"] ?? "")
        },
        // The WebSocket endpoint: an accepted upgrade never gets here (see `SimulatorCore.notificationUpgrader`).
        SimulatorRoute.unauthenticated("GET", SimulatorCore.notificationSocketTemplate.text) { _, request in
            ErrorBodies.notFound(path: request.path)
        },
    ]
}
