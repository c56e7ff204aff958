import NIOCore
import NIOHTTP1
import NIOWebSocket
import Synchronization

/// The notification service's timers on the simulator's event loop: the heartbeat tick (heartbeats and the expiry
/// check), the user topics' check and, with moving observations, a tick at each new observation slot.
final class NotificationTimers: Sendable {
    private struct Timers {
        var eventLoop: EventLoop?
        var heartbeat: RepeatedTask?
        var userCheck: RepeatedTask?
        var slot: Scheduled<Void>?
        var stopped = false
    }

    private let timers = Mutex(Timers())

    /// The shortest heartbeat interval taken (a shorter one would only spin the event loop).
    static let minimumHeartbeatInterval = Duration.milliseconds(10)

    /// The loop the timers run on, once started (nil after a stop).
    var eventLoop: EventLoop? { timers.withLock { $0.stopped ? nil : $0.eventLoop } }

    fileprivate func start(on eventLoop: EventLoop) -> Bool {
        timers.withLock { timers in
            guard timers.eventLoop == nil, !timers.stopped else { return false }
            timers.eventLoop = eventLoop
            return true
        }
    }

    /// (Re)starts the heartbeat tick every `interval`.
    fileprivate func scheduleHeartbeat(every interval: Duration, _ tick: @escaping @Sendable () -> Void) {
        timers.withLock { timers in
            timers.heartbeat?.cancel()
            guard let eventLoop = timers.eventLoop, !timers.stopped else { return }
            let delay = TimeAmount(max(interval, Self.minimumHeartbeatInterval))
            timers.heartbeat = eventLoop.scheduleRepeatedTask(initialDelay: delay, delay: delay) { _ in tick() }
        }
    }

    /// Starts the user topics' check every `interval`.
    fileprivate func scheduleUserCheck(every interval: Duration, _ tick: @escaping @Sendable () -> Void) {
        timers.withLock { timers in
            guard let eventLoop = timers.eventLoop, !timers.stopped, timers.userCheck == nil else { return }
            let delay = TimeAmount(interval)
            timers.userCheck = eventLoop.scheduleRepeatedTask(initialDelay: delay, delay: delay) { _ in tick() }
        }
    }

    /// Runs `tick` once after `delay`.
    fileprivate func scheduleSlotTick(in delay: Duration, _ tick: @escaping @Sendable () -> Void) {
        timers.withLock { timers in
            guard let eventLoop = timers.eventLoop, !timers.stopped else { return }
            timers.slot = eventLoop.scheduleTask(in: TimeAmount(delay)) { tick() }
        }
    }

    fileprivate func stop() {
        timers.withLock { timers in
            timers.stopped = true
            timers.heartbeat?.cancel()
            timers.userCheck?.cancel()
            timers.slot?.cancel()
            timers.heartbeat = nil
            timers.userCheck = nil
            timers.slot = nil
        }
    }
}

/// The notification service: channels and subscriptions (`NotificationRoutes`), the WebSocket endpoint
/// `/channels/{channelId}`, and the messages: heartbeats, pongs, queue observations when their values change, user
/// routing status and presence when they change (`UserTopicPush`), close notices. Channels live in
/// `SimulatorState.notifications`, behind the one lock; sockets are written on the event loop, outside it.
extension SimulatorCore {
    /// The WebSocket path a channel's `connectUri` names.
    static let notificationSocketTemplate = PathTemplate("/channels/{channelId}")

    /// Starts the timers; `connectHost` (`host:port`) is what connect URIs name.
    func startNotifications(on eventLoop: EventLoop, connectHost: String) {
        state.withLock { $0.notifications.connectHost = connectHost }
        guard notificationTimers.start(on: eventLoop) else { return }
        rescheduleHeartbeat()
        scheduleSlotTick()
        notificationTimers.scheduleUserCheck(every: Self.userTopicCheckInterval) { [weak self] in
            self?.pushUserChanges()
        }
        let load = state.withLock { $0.configuration.notificationLoad }
        if load > 0 { setNotificationLoad(perQueuePerSecond: load) }
    }

    /// Stops the timers and sends every socket the close notice, closing it right after (as at shutdown).
    func stopNotifications() {
        notificationTimers.stop()
        notificationLoad.stop()
        for socket in state.withLock({ $0.notifications.sockets }) {
            socket.closingNotice(closeAfter: .zero)
        }
    }

    /// Starts, changes or (0) stops the benchmark load.
    func setNotificationLoad(perQueuePerSecond rate: Double) {
        notificationLoad.set(rate: rate, on: notificationTimers.eventLoop) { [weak self] in
            self?.notificationLoadTick()
        }
    }

    /// Restarts the heartbeat tick with the interval configured now.
    func rescheduleHeartbeat() {
        let interval = state.withLock { $0.configuration.notificationHeartbeatInterval }
        notificationTimers.scheduleHeartbeat(every: interval) { [weak self] in self?.heartbeatTick() }
    }

    private func scheduleSlotTick() {
        guard let delay = observations.untilNextSlot(from: .now) else { return }
        // A millisecond past the boundary, so the new slot has begun when the values are read.
        notificationTimers.scheduleSlotTick(in: delay + .milliseconds(1)) { [weak self] in
            guard let self else { return }
            self.pushObservationChanges()
            self.scheduleSlotTick()
        }
    }

    private func heartbeatTick() {
        expireNotificationChannels()
        let sockets: [NotificationSocket] = state.withLock { state in
            state.notifications.heartbeats ? state.notifications.sockets : []
        }
        for socket in sockets {
            socket.send([.text(.heartbeat, NotificationMessages.heartbeat)])
        }
    }

    /// Removes the channels whose `expires` has come (by `now`), closing their sockets with close frame 1000.
    func expireNotificationChannels() {
        let now = self.now()
        let expired = state.withLock { $0.notifications.removeExpired(now: now) }
        for socket in expired { socket.close(.normalClosure) }
    }

    /// Runs `body` on the notification book after removing expired channels; closes their sockets after.
    func withNotifications<T>(_ body: (inout SimulatorState, NIODeadline) -> T) -> T {
        let now = self.now()
        let (result, expired) = state.withLock { state in
            let expired = state.notifications.removeExpired(now: now)
            return (body(&state, now), expired)
        }
        for socket in expired { socket.close(.normalClosure) }
        return result
    }

    // MARK: Observation messages

    /// Sends an observation message to every connected channel subscribed to a queue whose values changed since
    /// the last one it was sent; with `forcing`, that queue's message goes out whether or not they changed.
    func pushObservationChanges(forcing forced: String? = nil) {
        let wallMillis = Int64((wallNow() * 1000).rounded())
        let outgoing: [(NotificationSocket, [(String, QueueObservationValues)])] = state.withLock { state in
            let reading = observationReading(state.observationOverrides)
            let catalog = state.catalog
            var outgoing: [(NotificationSocket, [(String, QueueObservationValues)])] = []
            for channel in state.notifications.channels {
                guard let socket = channel.socket else { continue }
                var changed: [(String, QueueObservationValues)] = []
                for queueID in channel.queueIDs where forced == nil || forced == queueID {
                    guard let index = catalog.index(ofQueueID: queueID) else { continue }
                    let values = QueueObservationValues(queueIndex: index, queueID: queueID, reading: reading)
                    if forced != nil || values != channel.sentValues[queueID] { changed.append((queueID, values)) }
                }
                guard !changed.isEmpty else { continue }
                state.notifications.update(channel.id) { channel in
                    for (queueID, values) in changed { channel.sentValues[queueID] = values }
                }
                outgoing.append((socket, changed))
            }
            return outgoing
        }
        for (socket, changed) in outgoing {
            socket.send(
                changed.map { queueID, values in
                    let body = NotificationMessages.observationBody(values, wallMillis: wallMillis)
                    return .text(.observation, NotificationMessages.observation(queueID: queueID, body: body))
                })
        }
    }

    /// The current values of these queues (the ones in the catalog), to compare later ones against.
    func currentObservationValues(_ queueIDs: [String], state: SimulatorState) -> [String: QueueObservationValues] {
        let reading = observationReading(state.observationOverrides)
        var values: [String: QueueObservationValues] = [:]
        for queueID in queueIDs {
            guard let index = state.catalog.index(ofQueueID: queueID) else { continue }
            values[queueID] = QueueObservationValues(queueIndex: index, queueID: queueID, reading: reading)
        }
        return values
    }

    /// The encoded `eventBody` of the queue's observation message now; nil for a queue not in the catalog.
    func observationBody(queueID: String) -> String? {
        let values: QueueObservationValues? = state.withLock { state in
            currentObservationValues([queueID], state: state)[queueID]
        }
        return values.map { NotificationMessages.observationBody($0, wallMillis: Int64((wallNow() * 1000).rounded())) }
    }

    // MARK: Counters (called by the sockets)

    func recordNotificationsSent(_ counts: [NotificationMessageKind: Int]) {
        state.withLock { state in
            for (kind, count) in counts { state.notifications.counters.messagesSent[kind, default: 0] += count }
        }
    }

    func recordSlowNotificationSocket() {
        state.withLock { $0.notifications.counters.slowSocketsClosed += 1 }
    }

    // MARK: The WebSocket endpoint

    /// Whether a WebSocket upgrade request may become a socket: its path is `/channels/{id}` of a live channel
    /// and no fault rule matches it (a faulted or refused request goes on to the HTTP handler, which answers it
    /// like any other request: with the fault, or 404). An accepted one is logged and counted under status 101.
    func acceptsNotificationSocket(_ head: HTTPRequestHead) -> String? {
        let request = SimulatorRequest(method: head.method.rawValue, uri: head.uri, headers: head.headers, body: [])
        guard request.method == "GET",
            let id = Self.notificationSocketTemplate.match(request.path)?["channelId"]
        else { return nil }
        let routePath = Self.notificationSocketTemplate.text
        let now = self.now()
        return state.withLock { state in
            guard !state.faults.matches(request, routePath: routePath),
                state.notifications.channel(id, now: now) != nil
            else { return nil }
            state.requestLog.record(request, path: routePath, fault: nil)
            state.counters.recordAPIRequest(path: routePath, status: 101)
            return id
        }
    }

    /// A socket has connected to channel `socket.channelID`: it replaces the channel's earlier socket (closed,
    /// 1000), or is closed itself when the channel went away meanwhile. What its channel's queues and users have now
    /// is what later changes are measured against.
    func notificationSocketOpened(_ socket: NotificationSocket) {
        let now = self.now()
        let (accepted, replaced): (Bool, NotificationSocket?) = state.withLock { state in
            let outcome = state.notifications.attach(socket, to: socket.channelID, now: now)
            if outcome.accepted, let channel = state.notifications.channel(socket.channelID, now: now) {
                let values = currentObservationValues(channel.queueIDs, state: state)
                let userStates = currentUserStates(channel.userTopics, state: state)
                state.notifications.update(channel.id) { channel in
                    channel.sentValues = values
                    channel.sentUserStates = userStates
                }
            }
            return outcome
        }
        replaced?.close(.normalClosure)
        if !accepted { socket.close(.normalClosure) }
    }

    func notificationSocketClosed(_ socket: NotificationSocket) {
        state.withLock { $0.notifications.detach(socket) }
    }

    /// The WebSocket upgrader for `/channels/{channelId}` (client frames up to 64 KiB) the HTTP server offers; the
    /// server removes its HTTP handler once the 101 is sent, and this adds the socket's handler.
    func notificationUpgrader() -> NIOWebSocketServerUpgrader {
        NIOWebSocketServerUpgrader(
            maxFrameSize: NotificationSocketHandler.maxFrameSize,
            shouldUpgrade: { [weak self] channel, head in
                let accepted = self?.acceptsNotificationSocket(head) != nil
                return channel.eventLoop.makeSucceededFuture(accepted ? HTTPHeaders() : nil)
            },
            upgradePipelineHandler: { [weak self] channel, head in
                channel.eventLoop.makeCompletedFuture {
                    let path = SimulatorRequest(method: "GET", uri: head.uri, headers: head.headers, body: []).path
                    guard let self, let id = Self.notificationSocketTemplate.match(path)?["channelId"] else {
                        channel.close(promise: nil)
                        return
                    }
                    let handler = NotificationSocketHandler(core: self, channelID: id)
                    try channel.pipeline.syncOperations.addHandler(handler)
                    let socket = NotificationSocket(
                        channelID: id, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
                    handler.socket = socket
                    self.notificationSocketOpened(socket)
                    // Closed before the handler was added: it will never see channelInactive.
                    if !channel.isActive { self.notificationSocketClosed(socket) }
                }
            })
    }
}
