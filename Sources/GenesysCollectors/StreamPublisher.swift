import GenesysBase
import GenesysNotifications
import Synchronization

/// Publishes a streaming collector's applied messages, at most every `minInterval` however fast messages come: a
/// publication rebuilds the streamed families of every selected queue or division (5,000 queues changing every
/// second cost 39% of a core at 250 ms). A lone change is published at once; one within the interval of the last
/// publication waits for the exporter's `PublicationTicker` (not a sleep of its own: one timer for every org).
final class StreamPublisher: Sendable {
    static let minInterval: Duration = .seconds(1)

    private struct State {
        var last: ContinuousClock.Instant?
        /// A publication is asked for (at once or at a tick): further changes wait for it.
        var asked = false
        var stopped = false
    }

    private let clock: any ExporterClock
    private let metrics: NotificationMetrics
    private let ticker: PublicationTicker
    private let publish: @Sendable () -> [ContinuousClock.Instant]?
    private let state = Mutex(State())
    /// One publication at a time: two at once could write an older state over a newer one.
    private let publishing = Mutex(())
    private let wake = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))

    /// `publish` applies what is pending and returns when each applied entry first arrived (nil: nothing was pending),
    /// for the apply-delay histogram.
    init(
        clock: any ExporterClock, metrics: NotificationMetrics, ticker: PublicationTicker,
        publish: @escaping @Sendable () -> [ContinuousClock.Instant]?
    ) {
        self.clock = clock
        self.metrics = metrics
        self.ticker = ticker
        self.publish = publish
    }

    /// Something is pending (called for every message, from the socket's event loop).
    func changed() {
        let now = clock.now
        let due: ContinuousClock.Instant?? = state.withLock { state in
            guard !state.asked, !state.stopped else { return nil }
            state.asked = true
            guard let last = state.last, now - last < Self.minInterval else { return .some(nil) }
            return last + Self.minInterval
        }
        switch due {
        case .none: break
        case .some(.none): wake.continuation.yield()
        case .some(.some(let at)): ticker.schedule(ObjectIdentifier(self), at: at) { [self] in publishNow() }
        }
    }

    /// Until cancelled, publishes what is asked for at once; after it, nothing more is published.
    func run() async {
        for await _ in wake.stream { publishNow() }
        state.withLock { $0.stopped = true }
    }

    private func publishNow() {
        publishing.withLock { _ in
            // Cleared first: a message applied by this publication may still ask for the next one.
            let stopped = state.withLock { state in
                state.asked = false
                return state.stopped
            }
            guard !stopped, let arrivals = publish() else { return }
            let now = clock.now
            state.withLock { $0.last = now }
            metrics.recordApplyDelays(arrivals.map { now - $0 })
        }
    }
}
