import GenesysAPI
import GenesysBase
import GenesysNotifications
import GenesysTelemetry
import Synchronization

/// What one streamed publication writes: the conversation counts over a layout that stays the same while no queue or
/// media type comes or goes (so the tables write only values), the oldest waiting conversations, and when each
/// applied queue's first unpublished message arrived.
struct StreamedConversations {
    let layout: SeriesLayout
    let waiting: [Double]
    let interacting: [Double]
    let alerting: [Double]
    let oldestWaiting: [(labels: [(String, String)], value: Double)]
    let arrivals: [ContinuousClock.Instant]
}

/// The observations collector's state between polls in stream mode: the last full poll, with each streamed queue
/// message applied over it, and what decides whether the next poll is needed.
final class StreamedObservations: Sendable {
    private struct State {
        var observed = QueueObservations()
        var queues: [RoutingQueue] = []
        var names: [String: String] = [:]
        /// The media types each queue has entries for, so a message can clear the ones it no longer lists.
        var mediaByQueue: [String: Set<String>] = [:]
        /// The latest message per queue since the last publication (each holds the queue's whole state, so a newer
        /// one replaces an older one), with when the first of them arrived.
        var pending:
            [String: (update: QueueObservationUpdate, firstArrival: ContinuousClock.Instant, unixMillis: Int64)] =
                [:]
        var stream: NotificationHub?
        var reconciliation = StreamReconciliation()
        /// A message named a queue the selection does not hold: the queue listing is stale.
        var unknownQueueSeen = false
        /// The conversation families' label sets and their keys, sorted; nil when a key came or went since.
        var layout: (SeriesLayout, keys: [QueueObservations.MediaKey])?
    }

    private let state = Mutex(State())
    private let queuesKnownSignal = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))

    /// Returns once a poll has selected queues (the stream has nothing to subscribe before).
    func queuesKnown() async {
        for await _ in queuesKnownSignal.stream { return }
    }

    var queues: [RoutingQueue] { state.withLock { $0.queues } }

    /// Whether a poll has selected queues yet.
    var hasPolled: Bool { state.withLock { $0.reconciliation.hasPolled } }

    func attach(_ stream: NotificationHub) { state.withLock { $0.stream = stream } }

    /// Whether this poll must ask Genesys: always while not streaming, and when streaming once after each
    /// (re)start, after dropped messages, and every `reconcileInterval`.
    func pollNeeded(now: ContinuousClock.Instant, reconcileInterval: Duration) -> Bool {
        state.withLock { state in
            state.reconciliation.pollNeeded(state.stream?.status, now: now, interval: reconcileInterval)
                || state.unknownQueueSeen
        }
    }

    /// Notes what the stream looked like as a poll starts (a change during the poll makes the next one poll again).
    func pollStarting(at now: ContinuousClock.Instant) -> NotificationStreamStatus {
        state.withLock { $0.stream?.status ?? NotificationStreamStatus() }
    }

    /// A full poll's answers replace everything streamed so far.
    func replace(
        _ observed: QueueObservations, queues: [RoutingQueue], at now: ContinuousClock.Instant,
        seen: NotificationStreamStatus
    ) {
        var mediaByQueue: [String: Set<String>] = [:]
        for key in observed.waiting.keys { mediaByQueue[key.queueID, default: []].insert(key.mediaType) }
        for key in observed.interacting.keys { mediaByQueue[key.queueID, default: []].insert(key.mediaType) }
        for key in observed.alerting.keys { mediaByQueue[key.queueID, default: []].insert(key.mediaType) }
        let names = Dictionary(queues.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        state.withLock { state in
            state.observed = observed
            state.queues = queues
            state.names = names
            state.mediaByQueue = mediaByQueue
            state.reconciliation.polled(at: now, seen: seen)
            state.unknownQueueSeen = false
            state.layout = nil
        }
        queuesKnownSignal.continuation.yield()
    }

    /// A message from the stream, applied at the next publication; false when the queue is not selected.
    @discardableResult
    func enqueue(
        _ update: QueueObservationUpdate, receivedAt: ContinuousClock.Instant, unixMillis: Int64
    ) -> Bool {
        state.withLock { state in
            guard state.names[update.queueID] != nil else {
                state.unknownQueueSeen = true
                return false
            }
            let first = state.pending[update.queueID]?.firstArrival ?? receivedAt
            state.pending[update.queueID] = (update, first, unixMillis)
            return true
        }
    }

    /// Applies the pending messages; returns what to publish (nil when nothing was pending).
    func applyPending() -> StreamedConversations? {
        state.withLock { state in
            guard !state.pending.isEmpty else { return nil }
            let pending = state.pending
            state.pending.removeAll(keepingCapacity: true)
            for entry in pending.values { Self.apply(entry.update, at: entry.unixMillis, to: &state) }
            let (layout, keys) = state.layout ?? Self.layout(state.observed, names: state.names)
            state.layout = (layout, keys)
            let observed = state.observed
            return StreamedConversations(
                layout: layout, waiting: keys.map { observed.waiting[$0] ?? 0 },
                interacting: keys.map { observed.interacting[$0] ?? 0 },
                alerting: keys.map { observed.alerting[$0] ?? 0 },
                oldestWaiting: observed.oldestWaiting.compactMap { key, started in
                    guard let name = state.names[key.queueID], observed.waiting[key, default: 0] > 0 else { return nil }
                    return (
                        [("queue_id", key.queueID), ("queue_name", name), ("media_type", key.mediaType)],
                        Double(started) / 1000
                    )
                },
                arrivals: pending.values.map(\.firstArrival))
        }
    }

    /// Every (selected queue, media type) any of the three counts has, sorted, with its labels.
    private static func layout(
        _ observed: QueueObservations, names: [String: String]
    ) -> (SeriesLayout, keys: [QueueObservations.MediaKey]) {
        var keys = Set(observed.waiting.keys).union(observed.interacting.keys).union(observed.alerting.keys)
        keys = keys.filter { names[$0.queueID] != nil }
        let sorted = keys.sorted { ($0.queueID, $0.mediaType) < ($1.queueID, $1.mediaType) }
        let labels = sorted.map { key in
            [("queue_id", key.queueID), ("queue_name", names[key.queueID] ?? ""), ("media_type", key.mediaType)]
        }
        return (SeriesLayout(labels), sorted)
    }

    /// A message holds the queue's whole state: media types it leaves out have nothing waiting any more.
    private static func apply(_ update: QueueObservationUpdate, at nowMillis: Int64, to state: inout State) {
        let queueID = update.queueID
        for media in state.mediaByQueue[queueID] ?? [] where update.byMedia[media] == nil {
            let key = QueueObservations.MediaKey(queueID: queueID, mediaType: media)
            state.observed.waiting[key] = 0
            state.observed.interacting[key] = 0
            state.observed.alerting[key] = 0
            state.observed.oldestWaiting[key] = nil
        }
        for (media, counts) in update.byMedia {
            let key = QueueObservations.MediaKey(queueID: queueID, mediaType: media)
            state.observed.waiting[key] = counts.waiting
            state.observed.interacting[key] = counts.interacting
            state.observed.alerting[key] = counts.alerting
            if counts.waiting > 0, let waited = counts.longestWaitingMillis {
                state.observed.oldestWaiting[key] = nowMillis - waited
            } else {
                state.observed.oldestWaiting[key] = nil
            }
            if state.mediaByQueue[queueID, default: []].insert(media).inserted { state.layout = nil }
        }
    }
}
