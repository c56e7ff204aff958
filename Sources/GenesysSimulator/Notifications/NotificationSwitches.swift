import NIOCore

/// The notification service's switches and observations, for tests (the standalone simulator has no control API).
extension GenesysSimulator {
    /// Sets `oWaiting`, `oInteracting` or `oAlerting` of a queue and media type (clamped to 0...10,000; nil clears
    /// it): the observation query, `observation(…)`, `oldestWaiting(…)` and the notification stream report it, and
    /// subscribed sockets get that queue's message at once. Other metrics and media types are ignored.
    package func setObservationOverride(queueID: String, mediaType: String, metric: String, value: Int?) {
        let changed = core.state.withLock {
            $0.observationOverrides.set(queueID: queueID, mediaType: mediaType, metric: metric, value: value)
        }
        if changed { core.pushObservationChanges(forcing: queueID) }
    }

    /// Every notification channel of every client that has not expired by the simulator's clock, oldest first
    /// (expired ones are left for the expiry check to remove).
    package func notificationChannels() -> [SimulatedChannel] {
        let now = core.now()
        return core.state.withLock { state in
            state.notifications.channels.filter { now < $0.expiresAt }.map { channel in
                SimulatedChannel(
                    id: channel.id, connectURI: state.notifications.connectURI(channel.id), topics: channel.topics,
                    connected: channel.socket != nil, expires: channel.expiresAt, expiresText: channel.expiresText,
                    clientID: state.configuration.clientID, userContext: channel.owner == .user)
            }
        }
    }

    /// A snapshot of the notification counters (zeroed by `resetCounters()`).
    package func notificationCounters() -> SimulatedNotificationCounters {
        core.state.withLock { $0.notifications.counters }
    }

    /// Whether sockets get heartbeats from now on (the expiry check keeps its tick either way).
    package func setNotificationHeartbeats(enabled: Bool) {
        core.state.withLock { $0.notifications.heartbeats = enabled }
    }

    /// Whether sockets stay open but send no notification from now on: no heartbeats, pongs or messages (a connection
    /// that died without a close, as behind a dropped NAT mapping). What is muted is lost, not sent later; WebSocket
    /// control frames (a ping's pong frame, a close) still go.
    package func setNotificationSocketsMuted(_ muted: Bool) {
        core.notificationsMuted.store(muted, ordering: .relaxed)
    }

    /// The heartbeat interval (at least 10 ms); the tick restarts now with it.
    package func setNotificationHeartbeatInterval(_ interval: Duration) {
        core.state.withLock { $0.configuration.notificationHeartbeatInterval = interval }
        core.rescheduleHeartbeat()
    }

    /// The lifetime of channels created from now on (on the simulator's clock, `SimulatorConfiguration.now`).
    package func setChannelLifetime(_ lifetime: Duration) {
        core.state.withLock { $0.configuration.notificationChannelLifetime = lifetime }
    }

    /// Sends every connected socket the `v2.system.socket_closing` notice, and closes each (close frame 1001)
    /// `closeAfter` later; the channels stay.
    package func sendSocketClosingNotice(closeAfter: Duration) {
        for socket in connectedSockets() { socket.closingNotice(closeAfter: closeAfter) }
    }

    /// A steady load for benchmarks: every subscribed queue gets this many observation messages a second (0 stops).
    package func setNotificationLoad(perQueuePerSecond rate: Double) {
        core.setNotificationLoad(perQueuePerSecond: rate)
    }

    /// Closes every socket's TCP connection at once, without a close frame; the channels stay.
    package func dropNotificationSockets() {
        for socket in connectedSockets() { socket.drop() }
    }

    /// Sends `count` observation messages for the queue (its current values) to every socket subscribed to it, as
    /// fast as each client reads them.
    package func floodNotifications(queueID: String, count: Int) {
        let topic = NotificationTopic.observations(queueID: queueID)
        let sockets = core.state.withLock { state in
            state.notifications.channels.filter { $0.topics.contains(topic) }.compactMap(\.socket)
        }
        guard !sockets.isEmpty, let body = core.observationBody(queueID: queueID) else { return }
        for socket in sockets { socket.flood(queueID: queueID, body: body, count: count) }
    }

    /// Sends the user's current `routingStatus` and `presence` messages to every socket subscribed to them, changed or
    /// not (the user's observed state, as the user observations query reads it now).
    package func sendUserNotifications(userID: String) {
        core.pushUserChanges(of: userID, forced: true)
    }

    /// Runs the change checks now (they also run on the simulator's timers: queues at each observation slot, users
    /// every second): subscribed queues and users whose values changed since their last message get one, e.g. after
    /// a test moved the wall clock (`SimulatorConfiguration.wallNow`).
    package func pushNotificationChangesNow() {
        core.pushObservationChanges()
        core.pushUserChanges()
    }

    /// Sends this text, as is, in a text frame to every connected socket.
    package func sendRawNotificationFrame(_ text: String) {
        for socket in connectedSockets() { socket.send([.text(.raw, text)]) }
    }

    /// Sends these bytes in a binary frame to every connected socket.
    package func sendBinaryNotificationFrame(_ bytes: [UInt8]) {
        for socket in connectedSockets() {
            socket.send([OutboundNotification(kind: .binary, payload: .binary(bytes))])
        }
    }

    /// Runs the expiry check now (it also runs at each heartbeat tick and each notification request): channels
    /// whose `expires` has come by the simulator's clock are removed, their sockets closed with close frame 1000.
    package func expireNotificationChannelsNow() {
        core.expireNotificationChannels()
    }

    private func connectedSockets() -> [NotificationSocket] {
        core.state.withLock { $0.notifications.sockets }
    }
}
