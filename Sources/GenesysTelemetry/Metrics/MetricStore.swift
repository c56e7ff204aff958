import GenesysBase
import Prometheus
import Synchronization

/// Where the exporter's metrics live, split by how often they change:
/// - `registry`: values that change only when a poll, a token request or an API call completes. Its
///   rendering is cached and reused by every scrape until one of those changes it.
/// - `liveRegistry`: the few values that depend on the moment of the scrape (token age, time to expiry,
///   process CPU and memory), rendered every time.
/// Poll results are applied with `publish`, which excludes rendering, so a scrape never sees half a poll.
package final class MetricStore: Sendable {
    package let registry: PrometheusCollectorRegistry
    package let liveRegistry: PrometheusCollectorRegistry
    /// The per-queue families, rendered after `registry` as part of the poll-driven page.
    package let tables = SeriesTables()
    private let generation = Mutex<UInt64>(0)
    private let cached = Mutex<CachedRendering?>(nil)
    /// One compression per change, however many gzip scrapes arrive at once after it.
    private let compressing = Mutex(())
    private let publication = PublicationLock()

    /// When each counter and histogram first appeared, for OpenMetrics' `_created`: those of `registry` and
    /// `tables`, and those of `liveRegistry`.
    private let stableCreated: CreatedSeries
    private let liveCreated: CreatedSeries
    private let clock: any ExporterClock
    /// Whether OpenMetrics pages carry `_created` (`--web.openmetrics-created-samples`).
    private let createdSamples: Bool

    /// Native histograms of `registry`'s histograms, written only into protobuf answers.
    package let nativeHistograms = NativeHistograms()

    /// `registry` rendered at one generation, as text and (once a scraper asked for them) in the other syntaxes and
    /// as gzip prefixes.
    private struct CachedRendering {
        let generation: UInt64
        let plain: [UInt8]
        var others: [ExpositionSyntax: [UInt8]] = [:]
        var gzipped: [ExpositionSyntax: GzipSplice.Prefix] = [:]

        func body(_ syntax: ExpositionSyntax) -> [UInt8]? { syntax == .text ? plain : others[syntax] }
    }

    package init(clock: any ExporterClock = SystemClock(), createdSamples: Bool = false) {
        registry = PrometheusCollectorRegistry()
        liveRegistry = PrometheusCollectorRegistry()
        self.clock = clock
        self.createdSamples = createdSamples
        stableCreated = CreatedSeries(startedAt: clock.unixNow)
        liveCreated = CreatedSeries(startedAt: clock.unixNow)
    }

    /// One registry for both kinds (tests that render a single registry).
    package init(
        registry: PrometheusCollectorRegistry, clock: any ExporterClock = SystemClock(), createdSamples: Bool = false
    ) {
        self.registry = registry
        self.liveRegistry = registry
        self.clock = clock
        self.createdSamples = createdSamples
        stableCreated = CreatedSeries(startedAt: clock.unixNow)
        liveCreated = CreatedSeries(startedAt: clock.unixNow)
    }

    /// Marks `registry` as changed: the next scrape renders it again.
    package func changed() {
        generation.withLock { $0 &+= 1 }
        // Every API call lands here: the clock and the created times' lock only when `_created` is written.
        if createdSamples { stableCreated.noteChange(at: clock.unixNow) }
    }

    /// Text families of this store in OpenMetrics, `_created` stamped from the series' first appearance: `live`
    /// for families of `liveRegistry`, otherwise of `registry` and `tables`.
    package func openMetrics(_ families: ExpositionFamilies, live: Bool) -> ExpositionFamilies {
        OpenMetricsRewrite.families(
            families, created: createdSamples ? (live ? liveCreated : stableCreated) : nil, now: clock.unixNow)
    }

    /// Applies a poll's results while no scrape is rendering.
    package func publish<T>(_ update: () throws -> T) rethrows -> T {
        try publication.writing {
            defer { changed() }
            return try update()
        }
    }

    /// The exposition: the cached rendering of `registry` (re-rendered, and re-compressed, only after a change)
    /// followed by `liveRegistry`, whose values `refreshLive` sets first. Gzipped, the cached part is compressed
    /// once and the live part is spliced after it (`GzipSplice`), so a scrape compresses only those few lines.
    /// Call it off the event loop: after a change it renders (and compresses) the whole page.
    package func render(
        _ encoding: ExpositionEncoding = .identity, syntax: ExpositionSyntax = .text, refreshLive: () -> Void
    ) -> RenderedExposition {
        refreshLive()
        let stable = publication.reading { stablePart(encoding, syntax) }
        var live: [UInt8] = []
        if liveRegistry !== registry { liveRegistry.emit(into: &live) }
        if syntax != .text { live = converted(live, syntax, live: true) + end(syntax) }
        switch stable {
        case .plain(let bytes): return RenderedExposition(parts: [bytes, live], encoding: .identity)
        case .gzipped(let prefix):
            return RenderedExposition(parts: [prefix.bytes, GzipSplice.suffix(after: prefix, live)], encoding: .gzip)
        }
    }

    /// The poll-driven part as plain text with its generation (a new generation means new text), read while no
    /// poll is being applied: what the multi-org page merges.
    package func stableSnapshot() -> (generation: UInt64, plain: [UInt8]) {
        publication.reading {
            let rendering = plainRendering()
            return (rendering.generation, rendering.plain)
        }
    }

    /// The generation of `registry`'s contents: it moves whenever a poll, token request or API call changes them.
    package var stableGeneration: UInt64 { generation.withLock { $0 } }

    /// `registry` rendered now, while no poll is being applied, without keeping the text (a multi-org exporter
    /// keeps its own labelled copy; keeping both would double the memory of a large fleet).
    package func renderStable() -> [UInt8] {
        publication.reading { renderPollDriven() }
    }

    /// `registry` and `tables`, in the text format.
    private func renderPollDriven() -> [UInt8] {
        // Not `emitToBuffer()`: swift-prometheus keeps that one's buffer in the registry, the size of its page, for
        // the registry's life (heaptrack: about 50 KB per org, 10 MiB over 200 orgs).
        var page: [UInt8] = []
        registry.emit(into: &page)
        tables.emit(into: &page)
        return page
    }

    /// The live part, rendered now (`refreshLive` sets its values first).
    package func liveSnapshot(refreshLive: () -> Void) -> [UInt8] {
        refreshLive()
        var live: [UInt8] = []
        if liveRegistry !== registry { liveRegistry.emit(into: &live) }
        return live
    }

    private enum StablePart {
        case plain([UInt8])
        case gzipped(GzipSplice.Prefix)
    }

    /// The cached rendering of `registry`, rendered again first when it changed.
    private func plainRendering() -> CachedRendering {
        let current = generation.withLock { $0 }
        if let hit = cached.withLock({ $0 }), hit.generation == current { return hit }
        // Read before rendering: a change made during the render bumps past it, so the next scrape re-renders.
        let rendering = CachedRendering(generation: current, plain: renderPollDriven())
        cached.withLock { $0 = rendering }
        return rendering
    }

    private func stablePart(_ encoding: ExpositionEncoding, _ syntax: ExpositionSyntax) -> StablePart {
        var rendering = plainRendering()
        let current = rendering.generation
        if syntax != .text && rendering.others[syntax] == nil {
            // Rewritten once per change, under the same lock as compressing: `_created` is stamped once.
            rendering = compressing.withLock { _ in
                if let hit = cached.withLock({ $0 }), hit.generation == current, hit.others[syntax] != nil {
                    return hit
                }
                let page = converted(rendering.plain, syntax, live: false)
                rendering.others[syntax] = page
                cached.withLock { if $0?.generation == current { $0?.others[syntax] = page } }
                return rendering
            }
        }
        // The body exists here: `plain` always, the others once asked for.
        let body = rendering.body(syntax) ?? rendering.plain
        guard encoding == .gzip else { return .plain(body) }
        if let gzipped = rendering.gzipped[syntax] { return .gzipped(gzipped) }
        return compressing.withLock { _ in
            if let hit = cached.withLock({ $0 }), hit.generation == current, let gzipped = hit.gzipped[syntax] {
                return .gzipped(gzipped)
            }
            let gzipped = GzipSplice.prefix(body)
            cached.withLock { if $0?.generation == current { $0?.gzipped[syntax] = gzipped } }
            gzipCompressions.withLock { $0 += 1 }
            return .gzipped(gzipped)
        }
    }

    /// A text part of this store in `syntax`.
    /// A store's page has each family's lines together, so it is rewritten as it streams by (the live part is, on
    /// every scrape); only `_created` needs the families apart, to stamp each series.
    private func converted(_ plain: [UInt8], _ syntax: ExpositionSyntax, live: Bool) -> [UInt8] {
        switch syntax {
        case .text: return plain
        case .openMetrics where !createdSamples: return OpenMetricsRewrite.page(plain)
        case .openMetrics:
            return Array(openMetrics(ExpositionFamilies(page: plain, org: nil), live: live).parts().joined())
        case .protobuf: return ProtobufExposition.page(plain, native: nativeHistograms)
        }
    }

    /// Text families of this store as protobuf families, with this store's native histograms.
    package func protobuf(_ families: ExpositionFamilies) -> ExpositionFamilies {
        ProtobufExposition.families(families, native: nativeHistograms)
    }

    /// What ends a page: `# EOF` for OpenMetrics, nothing otherwise.
    private func end(_ syntax: ExpositionSyntax) -> [UInt8] { syntax == .openMetrics ? OpenMetricsRewrite.eof : [] }

    /// How many times the poll-driven page was gzipped (tests: once per change, not once per scrape).
    package let gzipCompressions = Mutex<Int>(0)
}
