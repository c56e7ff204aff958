import NIOCore

/// A notification channel as `GenesysSimulator.notificationChannels()` reports it.
package struct SimulatedChannel: Sendable, Equatable {
    /// `streaming-<n>-<random lowercase letters and digits>`.
    package let id: String
    /// The WebSocket URL the channel's answer names: `ws://<simulator host:port>/channels/<id>`.
    package let connectURI: String
    /// The subscribed topics, in the order they were first subscribed.
    package let topics: [String]
    /// Whether a WebSocket is connected to it now.
    package let connected: Bool
    /// When it expires, on the simulator's clock (`SimulatorConfiguration.now`).
    package let expires: NIODeadline
    /// The same instant as the API's `expires` (ISO 8601 UTC with milliseconds), from the simulator's wall clock.
    package let expiresText: String
    /// The OAuth client whose token created it.
    package let clientID: String
    /// Created with a user token (refresh-token grant) rather than a client-credentials one; each has its own 20.
    package let userContext: Bool
}

/// What a notification message sent to a socket was.
package enum NotificationMessageKind: String, Sendable, CaseIterable {
    /// `channel.metadata` `WebSocket Heartbeat`.
    case heartbeat
    /// `channel.metadata` `pong`, the answer to a client's `{"message":"ping"}`.
    case pong
    /// A `v2.analytics.queues.{id}.observations` message (flooded ones included).
    case observation
    /// A `v2.users.{id}.routingStatus` message.
    case userRoutingStatus
    /// A `v2.users.{id}.presence` message.
    case userPresence
    /// `v2.system.socket_closing`.
    case closing
    /// A text frame from `sendRawNotificationFrame`.
    case raw
    /// A binary frame from `sendBinaryNotificationFrame`.
    case binary
}

/// A snapshot of the notification service's counters.
package struct SimulatedNotificationCounters: Sendable, Equatable {
    /// Channels created by `POST /api/v2/notifications/channels`.
    package var channelsCreated = 0
    /// Channels removed to make room for a client's 21st.
    package var channelsRemovedByLimit = 0
    /// Channels removed when they reached `expires`.
    package var channelsExpired = 0
    /// WebSocket connections accepted (101).
    package var socketsOpened = 0
    /// Sockets closed because their unsent messages passed `NotificationSocketHandler.outboxLimit` bytes.
    package var slowSocketsClosed = 0
    /// Messages written to sockets, by kind.
    package var messagesSent: [NotificationMessageKind: Int] = [:]

    /// Creates zeroed counters.
    package init() {}

    /// Messages of this kind written to sockets.
    package func sent(_ kind: NotificationMessageKind) -> Int {
        messagesSent[kind, default: 0]
    }
}

/// One channel: its owner, expiry, topics and socket.
struct NotificationChannel: Sendable {
    let id: String
    let owner: TokenSubject
    let expiresAt: NIODeadline
    /// `expiresAt` on the wall clock, Unix ms.
    let expiresMillis: Int64
    /// Subscribed topics, in subscription order, without duplicates.
    var topics: [String] = []
    var socket: NotificationSocket?
    /// Position in the order of use (higher: used more recently), for removal at the limit.
    var lastUse: Int
    /// Per subscribed queue id, the values last sent (or current at subscription or connection): only a change
    /// is sent.
    var sentValues: [String: QueueObservationValues] = [:]
    /// Per subscribed user topic, the user's state last sent (or current at subscription or connection): a message
    /// goes out when the topic's part of it (routing status or presence) changes.
    var sentUserStates: [UserTopic: ObservedUserState] = [:]

    var expiresText: String { UTCTimestamp.format(millis: expiresMillis) }

    /// The queue ids of the subscribed queue observation topics.
    var queueIDs: [String] { topics.compactMap(NotificationTopic.queueID(of:)) }

    /// The subscribed user topics.
    var userTopics: [UserTopic] { topics.compactMap(NotificationTopic.userTopic(of:)) }
}

/// Every notification channel, behind the simulator's one lock (`SimulatorState.notifications`): creation with the
/// per-client limit, expiry, topics, sockets attached, and the counters.
struct NotificationBook: Sendable {
    /// Channels one OAuth client (token subject) may have; creating another removes the least recently used.
    static let channelsPerClient = 20
    /// Topics one channel may have.
    static let topicsPerChannel = 1_000

    /// In creation order.
    private(set) var channels: [NotificationChannel] = []
    private var uses = 0
    private var created = 0
    var counters = SimulatedNotificationCounters()
    /// Whether the heartbeat tick sends heartbeats (it checks expiry either way).
    var heartbeats: Bool
    /// `host:port` the connect URIs name, set once the server listens.
    var connectHost = "127.0.0.1:0"

    init(heartbeats: Bool) {
        self.heartbeats = heartbeats
    }

    func connectURI(_ id: String) -> String { "ws://\(connectHost)/channels/\(id)" }

    /// A new channel for `owner`, alive for `lifetime` from `now` (wall time `wallMillis`). With 20 already, the
    /// least recently used one is removed first, one without a socket if there is any; its socket is returned to
    /// be closed.
    mutating func create(
        owner: TokenSubject, now: NIODeadline, wallMillis: Int64, lifetime: Duration
    ) -> (channel: NotificationChannel, removedSocket: NotificationSocket?) {
        var removedSocket: NotificationSocket?
        let owned = channels.filter { $0.owner == owner }
        if owned.count >= Self.channelsPerClient {
            let idle = owned.filter { $0.socket == nil }
            let victim = (idle.isEmpty ? owned : idle).min { $0.lastUse < $1.lastUse }!
            removedSocket = remove(victim.id)
            counters.channelsRemovedByLimit += 1
        }
        let lifetime = max(lifetime, .zero)
        let (seconds, attoseconds) = lifetime.components
        let lifetimeMillis = seconds.multipliedReportingOverflow(by: 1000)
        let millis =
            lifetimeMillis.overflow ? Int64.max / 2 : lifetimeMillis.partialValue + attoseconds / 1_000_000_000_000_000
        let channel = NotificationChannel(
            id: "streaming-\(created % 10)-\(Self.randomSuffix())", owner: owner, expiresAt: now + TimeAmount(lifetime),
            expiresMillis: wallMillis + millis, lastUse: nextUse())
        created += 1
        counters.channelsCreated += 1
        channels.append(channel)
        return (channel, removedSocket)
    }

    /// Removes every channel whose `expires` has come; returns their sockets, to be closed.
    mutating func removeExpired(now: NIODeadline) -> [NotificationSocket] {
        var sockets: [NotificationSocket] = []
        channels.removeAll { channel in
            guard channel.expiresAt <= now else { return false }
            if let socket = channel.socket { sockets.append(socket) }
            counters.channelsExpired += 1
            return true
        }
        return sockets
    }

    /// The channel `id`, nil when unknown or expired; when `owner` is given, only that owner's channel.
    func channel(_ id: String, owner: TokenSubject? = nil, now: NIODeadline) -> NotificationChannel? {
        guard let channel = channels.first(where: { $0.id == id }), now < channel.expiresAt else { return nil }
        if let owner, channel.owner != owner { return nil }
        return channel
    }

    /// Changes the live channel `id` of `owner` and counts it as used; nil (nothing changed) when there is none.
    @discardableResult
    mutating func use<T>(
        _ id: String, owner: TokenSubject, now: NIODeadline, _ change: (inout NotificationChannel) -> T
    ) -> T? {
        guard self.channel(id, owner: owner, now: now) != nil,
            let index = channels.firstIndex(where: { $0.id == id })
        else { return nil }
        channels[index].lastUse = nextUse()
        return change(&channels[index])
    }

    /// Every channel (not only live ones), for changes that are no API use (new values sent, a socket closed).
    mutating func update(_ id: String, _ change: (inout NotificationChannel) -> Void) {
        guard let index = channels.firstIndex(where: { $0.id == id }) else { return }
        change(&channels[index])
    }

    /// Attaches a socket to the live channel `id`; returns false when there is none (the socket is to be
    /// closed), and the socket it replaces (one per channel: the earlier one is to be closed).
    mutating func attach(
        _ socket: NotificationSocket, to id: String, now: NIODeadline
    ) -> (accepted: Bool, replaced: NotificationSocket?) {
        guard self.channel(id, now: now) != nil, let index = channels.firstIndex(where: { $0.id == id }) else {
            return (false, nil)
        }
        let replaced = channels[index].socket
        channels[index].socket = socket
        channels[index].lastUse = nextUse()
        counters.socketsOpened += 1
        return (true, replaced)
    }

    /// Forgets a closed socket (if it is still its channel's).
    mutating func detach(_ socket: NotificationSocket) {
        guard let index = channels.firstIndex(where: { $0.socket === socket }) else { return }
        channels[index].socket = nil
        channels[index].lastUse = nextUse()
    }

    /// Removes channel `id`; returns its socket, to be closed.
    mutating func remove(_ id: String) -> NotificationSocket? {
        guard let index = channels.firstIndex(where: { $0.id == id }) else { return nil }
        return channels.remove(at: index).socket
    }

    /// Every connected socket.
    var sockets: [NotificationSocket] { channels.compactMap(\.socket) }

    private mutating func nextUse() -> Int {
        uses += 1
        return uses
    }

    private static let suffixAlphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    /// 26 random lowercase letters and digits, as real channel ids end.
    private static func randomSuffix() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<26).map { _ in suffixAlphabet[Int(generator.next() % UInt64(suffixAlphabet.count))] })
    }
}
