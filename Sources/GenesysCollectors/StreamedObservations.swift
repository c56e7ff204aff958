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
    /// Unix seconds, nil where nothing waits (no series).
    let oldestWaiting: [Double?]
    let arrivals: [ContinuousClock.Instant]
}

/// The observations collector's state between polls in stream mode: the last full poll, with each streamed queue
/// message applied over it, and what decides whether the next poll is needed. The counts are kept densely, per
/// selected queue and media type: at thousands of messages a second, dictionaries keyed by queue and media type
/// cost more than everything else together (30% of a profile).
final class StreamedObservations: Sendable {
    /// One queue's counts of one media type.
    private struct Counts {
        var waiting: Double = 0
        var interacting: Double = 0
        var alerting: Double = 0
        /// When the longest-waiting conversation started waiting (Unix ms), while something waits.
        var oldestWaitingMillis: Int64?
    }

    private struct State {
        var queues: [RoutingQueue] = []
        /// Each selected queue's place in `queues` and `counts` (the first listing of an id wins).
        var slotOf: [String: Int] = [:]
        /// The media types seen, in the order seen: `counts[slot * mediaTypes.count + index]` is of
        /// `mediaTypes[index]`.
        var mediaTypes: [String] = []
        /// Per queue, per media type, in one array: nil for a media type the queue has no counts of. (An array per
        /// queue, grown as media types came, cost about 280 bytes a queue: 2.8 MiB over 200 streaming orgs.)
        var counts: [Counts?] = []
        /// The latest message per queue since the last publication (each holds the queue's whole state, so a newer
        /// one replaces an older one), with when the first of them arrived.
        var pending:
            [String: (update: QueueObservationUpdate, firstArrival: ContinuousClock.Instant, unixMillis: Int64)] =
                [:]
        var stream: NotificationHub?
        var reconciliation = StreamReconciliation()
        /// A message named a queue the selection does not hold: the queue listing is stale.
        var unknownQueueSeen = false
        /// The conversation families' label sets and the (queue, media type) of each; nil when one came since.
        var layout: (SeriesLayout, entries: [(slot: Int, media: Int)])?

        /// Genesys has a handful of media types; past this many distinct names (a hostile stream), the rest are
        /// `unknown`, so neither the arrays nor the series grow without bound.
        static let mostMediaTypes = 32

        /// A media type's index; a new one widens every queue's part of `counts` (a handful of times per org).
        mutating func mediaIndex(_ mediaType: String) -> Int {
            if let index = mediaTypes.firstIndex(of: mediaType) { return index }
            if mediaTypes.count >= Self.mostMediaTypes - 1, mediaType != "unknown" { return mediaIndex("unknown") }
            let width = mediaTypes.count
            var widened = [Counts?](repeating: nil, count: queues.count * (width + 1))
            for slot in queues.indices {
                for media in 0..<width { widened[slot * (width + 1) + media] = counts[slot * width + media] }
            }
            counts = widened
            mediaTypes.append(mediaType)
            return width
        }

        func counts(slot: Int, media: Int) -> Counts? { counts[slot * mediaTypes.count + media] }

        /// Sets a queue's counts of a media type; a pair not there before changes the layout.
        mutating func set(slot: Int, media: Int, _ value: Counts) {
            let index = slot * mediaTypes.count + media
            if counts[index] == nil { layout = nil }
            counts[index] = value
        }
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
        state.withLock { state in
            state.queues = queues
            state.slotOf = [:]
            state.slotOf.reserveCapacity(queues.count)
            for (slot, queue) in queues.enumerated() where state.slotOf[queue.id] == nil {
                state.slotOf[queue.id] = slot
            }
            state.counts = Array(repeating: nil, count: queues.count * state.mediaTypes.count)
            state.layout = nil
            let keys = Set(observed.waiting.keys).union(observed.interacting.keys).union(observed.alerting.keys)
            for key in keys {
                guard let slot = state.slotOf[key.queueID] else { continue }
                let media = state.mediaIndex(key.mediaType)
                state.set(
                    slot: slot, media: media,
                    Counts(
                        waiting: observed.waiting[key] ?? 0, interacting: observed.interacting[key] ?? 0,
                        alerting: observed.alerting[key] ?? 0, oldestWaitingMillis: observed.oldestWaiting[key]))
            }
            state.reconciliation.polled(at: now, seen: seen)
            state.unknownQueueSeen = false
        }
        queuesKnownSignal.continuation.yield()
    }

    /// A message from the stream, applied at the next publication; false when the queue is not selected.
    @discardableResult
    func enqueue(
        _ update: QueueObservationUpdate, receivedAt: ContinuousClock.Instant, unixMillis: Int64
    ) -> Bool {
        state.withLock { state in
            guard state.slotOf[update.queueID] != nil else {
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
            // Not emptied keeping its room: a second's few messages need little, and the room would stay per org.
            state.pending = [:]
            for entry in pending.values { Self.apply(entry.update, at: entry.unixMillis, to: &state) }
            let (layout, entries) = state.layout ?? Self.layout(state)
            state.layout = (layout, entries)
            var waiting: [Double] = []
            var interacting: [Double] = []
            var alerting: [Double] = []
            var oldest: [Double?] = []
            waiting.reserveCapacity(entries.count)
            interacting.reserveCapacity(entries.count)
            alerting.reserveCapacity(entries.count)
            oldest.reserveCapacity(entries.count)
            for entry in entries {
                let counts = state.counts(slot: entry.slot, media: entry.media) ?? Counts()
                waiting.append(counts.waiting)
                interacting.append(counts.interacting)
                alerting.append(counts.alerting)
                oldest.append(counts.waiting > 0 ? counts.oldestWaitingMillis.map { Double($0) / 1000 } : nil)
            }
            return StreamedConversations(
                layout: layout, waiting: waiting, interacting: interacting, alerting: alerting, oldestWaiting: oldest,
                arrivals: pending.values.map(\.firstArrival))
        }
    }

    /// Every (selected queue, media type) with counts, in queue order, with its labels (read from the queues and
    /// media types kept here, not copied).
    private static func layout(_ state: State) -> (SeriesLayout, entries: [(slot: Int, media: Int)]) {
        var entries: [(slot: Int, media: Int)] = []
        entries.reserveCapacity(state.counts.lazy.filter { $0 != nil }.count)
        for slot in state.queues.indices {
            for media in state.mediaTypes.indices where state.counts(slot: slot, media: media) != nil {
                entries.append((slot, media))
            }
        }
        let (queues, mediaTypes, kept) = (state.queues, state.mediaTypes, entries)
        let layout = SeriesLayout(names: ["queue_id", "queue_name", "media_type"], count: entries.count) {
            position, name in
            let entry = kept[position]
            switch name {
            case 0: return queues[entry.slot].id
            case 1: return queues[entry.slot].name
            default: return mediaTypes[entry.media]
            }
        }
        return (layout, entries)
    }

    /// A message holds the queue's whole state: media types it leaves out have nothing waiting any more.
    private static func apply(_ update: QueueObservationUpdate, at nowMillis: Int64, to state: inout State) {
        guard let slot = state.slotOf[update.queueID] else { return }
        for media in state.mediaTypes.indices
        where state.counts(slot: slot, media: media) != nil && update.byMedia[state.mediaTypes[media]] == nil {
            state.counts[slot * state.mediaTypes.count + media] = Counts()
        }
        for (mediaType, counts) in update.byMedia {
            let media = state.mediaIndex(mediaType)
            var oldest: Int64?
            if counts.waiting > 0, let waited = counts.longestWaitingMillis { oldest = nowMillis - waited }
            state.set(
                slot: slot, media: media,
                Counts(
                    waiting: counts.waiting, interacting: counts.interacting, alerting: counts.alerting,
                    oldestWaitingMillis: oldest))
        }
    }
}
