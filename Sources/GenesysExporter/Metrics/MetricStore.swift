import NIOConcurrencyHelpers
import Prometheus

/// Where the exporter's metrics live, split by how often they change:
/// - `registry`: values that change only when a poll, a token request or an API call completes. Its
///   rendering is cached and reused by every scrape until one of those changes it.
/// - `liveRegistry`: the few values that depend on the moment of the scrape (token age, time to expiry,
///   process CPU and memory), rendered every time.
/// Poll results are applied with `publish`, which excludes rendering, so a scrape never sees half a poll.
public final class MetricStore: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let liveRegistry: PrometheusCollectorRegistry
    private let generation = NIOLockedValueBox<UInt64>(0)
    private let cached = NIOLockedValueBox<(generation: UInt64, bytes: [UInt8])?>(nil)
    private let publication = PublicationLock()

    public init() {
        registry = PrometheusCollectorRegistry()
        liveRegistry = PrometheusCollectorRegistry()
    }

    /// One registry for both kinds (tests that render a single registry).
    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        self.liveRegistry = registry
    }

    /// Marks `registry` as changed: the next scrape renders it again.
    func changed() {
        generation.withLockedValue { $0 &+= 1 }
    }

    /// Applies a poll's results while no scrape is rendering.
    func publish<T>(_ update: () throws -> T) rethrows -> T {
        try publication.writing {
            defer { changed() }
            return try update()
        }
    }

    /// The exposition: the cached rendering of `registry` (re-rendered only after a change) followed by
    /// `liveRegistry`, whose values `refreshLive` sets first.
    public func render(refreshLive: () -> Void) -> [UInt8] {
        refreshLive()
        var bytes = publication.reading { () -> [UInt8] in
            let current = generation.withLockedValue { $0 }
            if let cached = cached.withLockedValue({ $0 }), cached.generation == current { return cached.bytes }
            // Read before rendering: a change made during the render bumps past it, so the next scrape re-renders.
            let fresh = registry.emitToBuffer()
            cached.withLockedValue { $0 = (current, fresh) }
            return fresh
        }
        if liveRegistry !== registry { liveRegistry.emit(into: &bytes) }
        return bytes
    }
}
