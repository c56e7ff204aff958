import GenesysAPI
import GenesysBase
import GenesysTelemetry
import Logging
import Synchronization

/// How the stream keeps its channels (Genesys' limits: 1,000 topics a channel, 20 channels an OAuth client, 24 hours
/// a channel, a heartbeat every 30 seconds).
package struct NotificationStreamSettings: Sendable {
    package var topicsPerChannel = 1000
    /// Of the client's 20: the rest stay free for a renewal's overlap, a second replica and `check`.
    package var maxChannels = 8
    /// Silent this long (two heartbeats missed and some), a socket is dead.
    package var heartbeatTimeout: Duration = .seconds(75)
    /// Silent this long, the socket is asked for a pong.
    package var pingAfter: Duration = .seconds(40)
    /// How often heartbeats, renewals, drops and the queue selection are looked at.
    package var tick: Duration = .seconds(5)
    /// A channel is replaced when this share of its life has passed.
    package var renewalShare = 0.9
    /// Between attempts after a fallback (the exporter's one backoff policy).
    package var retry = Backoff(initial: .seconds(5), cap: .seconds(300), jitter: .equal)
    package var caFile: String?
    package var limits = WebSocketLimits()

    package init() {}

    package var topicCapacity: Int { topicsPerChannel * maxChannels }
}

/// What the stream's consumer reads to decide whether to poll: the state, and counters that change when streamed
/// values may have missed something (a new start, dropped messages).
package struct NotificationStreamStatus: Sendable, Equatable {
    package var state: NotificationMetrics.StreamState = .connecting
    /// Grows each time streaming (re)starts: messages from before it may be lost, so the consumer polls once.
    package var generation = 0
    /// Messages dropped since the stream started (the flood bound).
    package var dropped = 0

    package init() {}
}

/// One org's notification channels, kept streaming the wanted topics: split over channels of at most
/// `topicsPerChannel`, renewed before they expire (the new channel subscribed before the old socket closes),
/// watched for heartbeats, reopened with backoff, and reported as a fallback whenever streaming cannot be kept up.
package final class NotificationStream: Sendable {
    private let api: GenesysAPIClient
    private let clock: any ExporterClock
    private let metrics: NotificationMetrics
    private let logger: Logger
    private let settings: NotificationStreamSettings
    private let currentStatus = Mutex(NotificationStreamStatus())
    /// Messages since the last tick, by position in `NotificationMetrics.messageKinds` (an array, not a dictionary
    /// by kind name: it is counted for every message).
    private let tally = Mutex([Int](repeating: 0, count: NotificationMetrics.messageKinds.count))
    private let recordedChannels = Mutex<(topics: Int, last: [Double])?>(nil)
    /// Wakes a stream waiting for its first topics, or looks at a streaming one's topics, before the tick ends (a
    /// consumer's first poll has finished).
    private let nudges = Wakeup()

    package init(
        api: GenesysAPIClient, clock: any ExporterClock, metrics: NotificationMetrics, logger: Logger,
        settings: NotificationStreamSettings
    ) {
        self.api = api
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
        self.settings = settings
    }

    package var status: NotificationStreamStatus { currentStatus.withLock { $0 } }

    /// The wanted topics may be known or have changed now: the stream looks at once.
    package func nudge() { nudges.signal() }

    /// Until the tick ends or a nudge comes; false when cancelled.
    private func waitForTopics() async -> Bool {
        await withTaskGroup(of: Bool.self) { [clock, settings, nudges] group in
            group.addTask {
                do { try await clock.sleep(for: settings.tick) } catch { return false }
                return true
            }
            group.addTask {
                await nudges.wait()
                return !Task.isCancelled
            }
            let woken = await group.next() ?? false
            group.cancelAll()
            return woken && !Task.isCancelled
        }
    }

    /// Streams until cancelled, then removes its subscriptions. `topics` gives the wanted topics (nil: not known
    /// yet); `deliver` gets each message that carries values (queue observations, user statuses and presences) with
    /// the instant it arrived.
    package func run(
        topics: @escaping @Sendable () -> [String]?,
        deliver: @escaping @Sendable (NotificationMessage, ContinuousClock.Instant) -> Void
    ) async {
        var retry = settings.retry
        var channels: [NotificationChannel] = []
        var reportedTooMany = false
        while !Task.isCancelled {
            guard let wanted = topics(), !wanted.isEmpty else {
                guard await waitForTopics() else { break }
                continue
            }
            if wanted.count > settings.topicCapacity {
                if !reportedTooMany {
                    logger.warning(
                        "more topics wanted than the notification channels can carry; polling instead",
                        metadata: ["topics": "\(wanted.count)", "capacity": "\(settings.topicCapacity)"])
                    fallBack(.tooManyTopics)
                    reportedTooMany = true
                }
                do { try await clock.sleep(for: settings.tick) } catch { break }
                continue
            }
            reportedTooMany = false
            var run = StreamRun(wanted: wanted, channels: channels)
            let outcome = await stream(&run, topics: topics, deliver: deliver)
            channels = run.channels
            if run.reachedStreaming { retry.reset() }
            guard let reason = outcome, !Task.isCancelled else { continue }
            fallBack(reason)
            let delay = retry.nextDelay()
            logger.warning(
                "notification stream stopped; polling until it is back",
                metadata: ["reason": "\(reason.rawValue)", "retry_in_s": "\(delay.wholeSeconds)"])
            do { try await clock.sleep(for: delay) } catch { break }
            metrics.recordReconnect()
        }
        metrics.recordChannels(topics: 0, lastMessages: [])
    }

    private func fallBack(_ reason: NotificationMetrics.FallbackReason) {
        currentStatus.withLock { $0.state = .fallback }
        metrics.recordFallback(reason)
    }

    /// The channels of one run; kept across runs so a dropped socket reconnects to its channel while it lives.
    private struct StreamRun {
        let wanted: [String]
        var channels: [NotificationChannel]
        var reachedStreaming = false
    }

    private enum Event: Sendable {
        case tick
        case ended(session: Int)
        case closing(session: Int)
    }

    /// Opens every channel, then follows them until one fails (a fallback reason) or the selection changes in a way
    /// that needs new channels (nil).
    private func stream(
        _ run: inout StreamRun, topics: @escaping @Sendable () -> [String]?,
        deliver: @escaping @Sendable (NotificationMessage, ContinuousClock.Instant) -> Void
    ) async -> NotificationMetrics.FallbackReason? {
        let chunks = stride(from: 0, to: run.wanted.count, by: settings.topicsPerChannel).map {
            Array(run.wanted[$0..<min($0 + settings.topicsPerChannel, run.wanted.count)])
        }
        var sessions: [ChannelSession] = []
        var nextSessionID = 0
        for (slot, chunk) in chunks.enumerated() {
            let reuse = slot < run.channels.count ? run.channels[slot] : nil
            switch await inChildTask({ [nextSessionID] in
                await self.open(topics: chunk, reuse: reuse, id: nextSessionID)
            }) {
            case .success(let session):
                sessions.append(session)
                nextSessionID += 1
            case .failure(let reason):
                await closeAll(sessions, unsubscribe: false)
                run.channels = sessions.map(\.channel)
                return reason
            }
        }
        run.channels = sessions.map(\.channel)
        run.reachedStreaming = true
        currentStatus.withLock {
            $0.state = .streaming
            $0.generation += 1
        }
        metrics.record(state: .streaming)
        recordTallies(sessions)
        logger.info(
            "streaming notifications",
            metadata: ["channels": "\(sessions.count)", "topics": "\(run.wanted.count)"])
        let (events, sink) = AsyncStream.makeStream(of: Event.self)
        var outcome: NotificationMetrics.FallbackReason?
        var wanted = run.wanted
        await withTaskGroup(of: Void.self) { group in
            for session in sessions {
                group.addTask { await self.read(session, events: sink, deliver: deliver) }
            }
            group.addTask { [clock, settings] in
                while !Task.isCancelled {
                    do { try await clock.sleep(for: settings.tick) } catch { break }
                    sink.yield(.tick)
                }
            }
            // A consumer's topics known now are subscribed at once, not at the next tick.
            group.addTask { [nudges] in
                while !Task.isCancelled {
                    await nudges.wait()
                    if !Task.isCancelled { sink.yield(.tick) }
                }
            }
            loop: for await event in events {
                switch event {
                case .ended(let id):
                    guard sessions.contains(where: { $0.id == id }) else { continue }  // an old one, renewed
                    outcome = .socketClosed
                    break loop
                case .closing(let id):
                    guard let slot = sessions.firstIndex(where: { $0.id == id }) else { continue }
                    guard
                        await renew(
                            &sessions, slot: slot, id: &nextSessionID, reason: .socketClosing, group: &group,
                            events: sink, deliver: deliver)
                    else {
                        outcome = .renewalFailed
                        break loop
                    }
                case .tick:
                    let now = clock.now
                    recordTallies(sessions)
                    if sessions.contains(where: { now - $0.lastMessage >= settings.heartbeatTimeout }) {
                        outcome = .heartbeatLost
                        break loop
                    }
                    for session in sessions where now - session.lastMessage >= settings.pingAfter {
                        await session.ping()
                    }
                    for slot in sessions.indices where now >= sessions[slot].renewAt {
                        guard
                            await renew(
                                &sessions, slot: slot, id: &nextSessionID, reason: .expiry, group: &group,
                                events: sink, deliver: deliver)
                        else {
                            outcome = .renewalFailed
                            break loop
                        }
                    }
                    guard let latest = topics(), latest != wanted else { continue }
                    let newChunks = (latest.count + settings.topicsPerChannel - 1) / settings.topicsPerChannel
                    guard newChunks == sessions.count else { break loop }  // a channel more or less: start over
                    if let failure = await resubscribe(&sessions, to: latest) {
                        outcome = failure
                        break loop
                    }
                    wanted = latest
                    // A topic subscribed now missed what changed before: the consumers poll once more.
                    currentStatus.withLock { $0.generation += 1 }
                }
            }
            run.channels = sessions.map(\.channel)
            group.cancelAll()
            sink.finish()
            await closeAll(sessions, unsubscribe: Task.isCancelled)
        }
        return outcome
    }

    /// A new channel for `slot` with its topics, subscribed and reading before the old socket closes.
    private func renew(
        _ sessions: inout [ChannelSession], slot: Int, id: inout Int, reason: NotificationMetrics.RenewalReason,
        group: inout TaskGroup<Void>, events: AsyncStream<Event>.Continuation,
        deliver: @escaping @Sendable (NotificationMessage, ContinuousClock.Instant) -> Void
    ) async -> Bool {
        let old = sessions[slot]
        guard
            case .success(let fresh) = await inChildTask({ [id] in
                await self.open(topics: old.topics, reuse: nil, id: id)
            })
        else { return false }
        id += 1
        sessions[slot] = fresh
        group.addTask { await self.read(fresh, events: events, deliver: deliver) }
        metrics.recordRenewal(reason)
        recordTallies(sessions)
        logger.info("notification channel renewed", metadata: ["reason": "\(reason.rawValue)", "slot": "\(slot)"])
        await old.close(api: api, unsubscribe: true)
        return true
    }

    /// New topics on the same channels (the queue selection changed within the same number of channels).
    private func resubscribe(
        _ sessions: inout [ChannelSession], to topics: [String]
    ) async -> NotificationMetrics.FallbackReason? {
        for slot in sessions.indices {
            let start = slot * settings.topicsPerChannel
            let chunk = Array(topics[start..<min(start + settings.topicsPerChannel, topics.count)])
            guard chunk != sessions[slot].topics else { continue }
            let channel = sessions[slot].channel
            if let failure = await inChildTask({ await self.subscribe(channel, chunk) }) { return failure }
            sessions[slot].topics = chunk
        }
        return nil
    }

    private func subscribe(
        _ channel: NotificationChannel, _ topics: [String]
    ) async -> NotificationMetrics.FallbackReason? {
        let answer: ChannelTopics
        do { answer = try await NotificationChannelAPI.subscribe(api, channelID: channel.id, topics: topics) } catch {
            logger.warning("subscribing notification topics failed", metadata: ["error": "\(error)"])
            return .subscribeFailed
        }
        guard answer.rejected.isEmpty else {
            logger.warning(
                "Genesys refused notification topics (a missing permission, or a queue that is gone)",
                metadata: ["rejected": "\(answer.rejected.joined(separator: " "))"])
            return .topicRejected
        }
        return nil
    }

    /// A channel (the one given while it lives and has time left, else a new one), its socket, its topics.
    private func open(
        topics: [String], reuse: NotificationChannel?, id: Int
    ) async -> Result<ChannelSession, NotificationMetrics.FallbackReason> {
        var channel = reuse
        if let candidate = channel {
            let left = candidate.life(fromUnixMillis: Int64(clock.unixNow * 1000))
            let stillThere = (try? await NotificationChannelAPI.exists(api, channelID: candidate.id)) ?? false
            if !stillThere || left < NotificationChannel.documentedLife * (1 - settings.renewalShare) { channel = nil }
        }
        if channel == nil {
            do { channel = try await NotificationChannelAPI.create(api) } catch {
                logger.warning("creating a notification channel failed", metadata: ["error": "\(error)"])
                return .failure(.channelFailed)
            }
        }
        guard let channel else { return .failure(.channelFailed) }
        let connection: WebSocketConnection
        do {
            connection = try await WebSocketConnection.connect(
                channel.connectURI, caFile: settings.caFile, limits: settings.limits)
        } catch {
            logger.warning("opening the notification socket failed", metadata: ["error": "\(error.description)"])
            return .failure(.connectFailed)
        }
        let now = clock.now
        let life = channel.life(fromUnixMillis: Int64(clock.unixNow * 1000))
        let session = ChannelSession(
            id: id, channel: channel, connection: connection, topics: topics,
            renewAt: now + life * settings.renewalShare, openedAt: now, openedUnix: clock.unixNow)
        if let failure = await subscribe(channel, topics) {
            await connection.close()
            return .failure(failure)
        }
        return .success(session)
    }

    private func read(
        _ session: ChannelSession, events: AsyncStream<Event>.Continuation,
        deliver: @escaping @Sendable (NotificationMessage, ContinuousClock.Instant) -> Void
    ) async {
        var counts = [Int](repeating: 0, count: NotificationMetrics.messageKinds.count)
        for await batch in session.connection.inbound {
            let now = clock.now
            session.touch(now, unix: clock.unixNow)
            defer { count(&counts) }
            for inbound in batch {
                switch inbound {
                case .binary:
                    counts[Kind.binary] += 1
                case .text(let bytes):
                    let message: NotificationMessage
                    do { message = try NotificationMessage(frame: bytes) } catch {
                        counts[Kind.malformed] += 1
                        continue
                    }
                    counts[Kind.of(message)] += 1
                    switch message {
                    case .queueObservation, .userRoutingStatus, .userPresence: deliver(message, now)
                    case .socketClosing: events.yield(.closing(session: session.id))
                    case .heartbeat, .pong, .other: break
                    }
                }
            }
        }
        events.yield(.ended(session: session.id))
    }

    /// Adds a batch's counts to the tally (once a batch, not once a message) and zeroes them.
    private func count(_ counts: inout [Int]) {
        tally.withLock { tally in
            for index in counts.indices where counts[index] > 0 { tally[index] += counts[index] }
        }
        for index in counts.indices { counts[index] = 0 }
    }

    /// Positions in `NotificationMetrics.messageKinds`.
    private enum Kind {
        static let binary = position("binary")
        static let malformed = position("malformed")
        static let heartbeat = position("heartbeat")
        static let pong = position("pong")
        static let socketClosing = position("socket_closing")
        static let queueObservation = position("queue_observation")
        static let userRoutingStatus = position("user_routing_status")
        static let userPresence = position("user_presence")
        static let other = position("other")

        static func position(_ kind: String) -> Int { NotificationMetrics.messageKinds.firstIndex(of: kind) ?? 0 }

        static func of(_ message: NotificationMessage) -> Int {
            switch message {
            case .heartbeat: heartbeat
            case .pong: pong
            case .socketClosing: socketClosing
            case .queueObservation: queueObservation
            case .userRoutingStatus: userRoutingStatus
            case .userPresence: userPresence
            case .other: other
            }
        }
    }

    /// Message counts, drops and last-message times into the metrics, once a tick rather than once a message.
    private func recordTallies(_ sessions: [ChannelSession]) {
        let positions = tally.withLock { tally in
            defer { for index in tally.indices { tally[index] = 0 } }
            return tally
        }
        var counts: [String: Int] = [:]
        for (position, count) in positions.enumerated() where count > 0 {
            counts[NotificationMetrics.messageKinds[position]] = count
        }
        let drops = sessions.reduce(0) { $0 + $1.newDrops() }
        if drops > 0 { currentStatus.withLock { $0.dropped += drops } }
        metrics.recordMessages(counts, dropped: drops)
        let channels = (topics: sessions.reduce(0) { $0 + $1.topics.count }, last: sessions.map(\.lastMessageUnix))
        // Published only when it changed: every publication makes the next scrape render the org's page again.
        let changed = recordedChannels.withLock { recorded in
            defer { recorded = channels }
            return recorded.map { $0.topics != channels.topics || $0.last != channels.last } ?? true
        }
        if changed { metrics.recordChannels(topics: channels.topics, lastMessages: channels.last) }
    }

    /// Closes the sockets; on shutdown also removes the subscriptions (channels cannot be deleted; without topics
    /// an unused channel is what Genesys evicts first), within a few seconds even if the API hangs.
    private func closeAll(_ sessions: [ChannelSession], unsubscribe: Bool) async {
        let api = api
        let cleanup = Task {
            await withTaskGroup(of: Void.self) { group in
                for session in sessions { group.addTask { await session.close(api: api, unsubscribe: unsubscribe) } }
            }
        }
        // Not cancelled with the caller: shutdown is when this must still run.
        await withTaskGroup(of: Void.self) { [clock] group in
            group.addTask { await cleanup.value }
            group.addTask { try? await clock.sleep(for: .seconds(5)) }
            await group.next()
            group.cancelAll()
        }
        recordTallies([])
    }
}

/// One open channel: its socket, topics, when it is due for renewal and when it last spoke.
private final class ChannelSession: Sendable {
    let id: Int
    let channel: NotificationChannel
    let connection: WebSocketConnection
    let renewAt: ContinuousClock.Instant
    private let state:
        Mutex<
            (
                topics: [String], lastMessage: ContinuousClock.Instant, lastMessageUnix: Double, dropsSeen: Int,
                pinged: Bool
            )
        >

    init(
        id: Int, channel: NotificationChannel, connection: WebSocketConnection, topics: [String],
        renewAt: ContinuousClock.Instant, openedAt: ContinuousClock.Instant, openedUnix: Double
    ) {
        self.id = id
        self.channel = channel
        self.connection = connection
        self.renewAt = renewAt
        state = Mutex((topics, openedAt, openedUnix, 0, false))
    }

    var topics: [String] {
        get { state.withLock { $0.topics } }
        set { state.withLock { $0.topics = newValue } }
    }

    var lastMessage: ContinuousClock.Instant { state.withLock { $0.lastMessage } }

    /// Unix time of the last message (of the opening, before the first).
    var lastMessageUnix: Double { state.withLock { $0.lastMessageUnix } }

    func touch(_ now: ContinuousClock.Instant, unix: Double) {
        state.withLock {
            $0.lastMessage = now
            $0.lastMessageUnix = unix
            $0.pinged = false
        }
    }

    /// Asks for a pong once per silence (Genesys answers `{"message":"ping"}` on `channel.metadata`).
    func ping() async {
        let first = state.withLock { state in
            defer { state.pinged = true }
            return !state.pinged
        }
        if first { await connection.send(text: "{\"message\":\"ping\"}") }
    }

    /// Drops since the last call.
    func newDrops() -> Int {
        let total = connection.dropped
        return state.withLock { state in
            defer { state.dropsSeen = total }
            return total - state.dropsSeen
        }
    }

    func close(api: GenesysAPIClient, unsubscribe: Bool) async {
        if unsubscribe { try? await NotificationChannelAPI.unsubscribeAll(api, channelID: channel.id) }
        await connection.close()
    }
}
