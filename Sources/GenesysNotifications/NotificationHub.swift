import GenesysAPI
import GenesysBase
import GenesysTelemetry
import Logging
import Synchronization

/// One org's notification stream, shared by the collectors that stream: Genesys counts channels per OAuth client, so
/// the org keeps one set of channels carrying the union of their topics, and every message reaches each of them
/// (each takes the kinds it follows).
package final class NotificationHub: Sendable {
    private struct Consumer: Sendable {
        let name: String
        let topics: @Sendable () -> [String]?
        let deliver: @Sendable (NotificationMessage, ContinuousClock.Instant) -> Void
    }

    package let metrics: NotificationMetrics
    /// The exporter's one timer for publications that must wait (shared by its orgs).
    package let ticker: PublicationTicker
    private let stream: NotificationStream
    /// Sorted by name: the union of their topics is always in the same order, so it splits over channels the same way.
    private let consumers = Mutex<[Consumer]>([])

    package init(
        api: GenesysAPIClient, clock: any ExporterClock, store: MetricStore, logger: Logger,
        settings: NotificationStreamSettings, ticker: PublicationTicker? = nil
    ) {
        self.ticker = ticker ?? PublicationTicker(clock: clock)
        metrics = NotificationMetrics(store: store)
        stream = NotificationStream(api: api, clock: clock, metrics: metrics, logger: logger, settings: settings)
    }

    /// What the consumers read to decide whether to poll (shared: a restart or a drop concerns every topic).
    package var status: NotificationStreamStatus { stream.status }

    /// Adds a consumer (one per collector, by name): `topics` gives its wanted topics (nil: not known yet), `deliver`
    /// gets every message with the instant it arrived.
    package func join(
        _ name: String, topics: @escaping @Sendable () -> [String]?,
        deliver: @escaping @Sendable (NotificationMessage, ContinuousClock.Instant) -> Void
    ) {
        consumers.withLock { consumers in
            consumers.removeAll { $0.name == name }
            consumers.append(Consumer(name: name, topics: topics, deliver: deliver))
            consumers.sort { $0.name < $1.name }
        }
    }

    /// A consumer's topics may be known now (its first poll finished): a stream waiting for topics looks at once.
    package func topicsChanged() { stream.nudge() }

    /// Streams the consumers' topics until cancelled, then removes the subscriptions.
    package func run() async {
        let consumers: @Sendable () -> [Consumer] = { [self] in self.consumers.withLock { $0 } }
        await stream.run(
            topics: {
                let known = consumers().compactMap { $0.topics() }
                guard !known.isEmpty else { return nil }
                return known.flatMap { $0 }
            },
            deliver: { message, receivedAt in
                for consumer in consumers() { consumer.deliver(message, receivedAt) }
            })
    }
}
