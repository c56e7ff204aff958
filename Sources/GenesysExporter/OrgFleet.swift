import GenesysBase
import GenesysNotifications
import GenesysServer
import GenesysTelemetry
import Logging
import Prometheus
import Synchronization

/// The orgs of the exporter: one `OrgMonitor` per org, each with its own token, connections, collectors,
/// readiness, budget and metric store, running as its own task, so a failing or rate-limited org never slows another.
/// Reloading starts added orgs, stops removed ones (their series go with them), restarts changed ones and leaves
/// unchanged ones running with their tokens.
///
/// One org without `--config.file` is a fleet of one that is not labelled: no `org` label, no config-load metrics,
/// no reload, its first poll at once, and its series in the exporter-wide store, whose cached page and gzip answer a
/// scrape as they always have.
package final class OrgFleet: Sendable {
    private struct Member: Sendable {
        let org: ConfiguredOrg
        let monitor: OrgMonitor
        let store: MetricStore
        let task: Task<Void, Never>
    }

    /// An org's poll-driven families compressed, each family's samples on their own, with the headers they need to
    /// be merged; kept until the org's store changes. No plain text is kept: a fleet's plain page is ten times its
    /// compressed size, and Prometheus asks for gzip (a plain scrape renders the orgs again).
    private struct CompressedPart: Sendable {
        let generation: UInt64
        let headers: ExpositionFamilies
        let chunks: [String: GzipSplice.Chunk]
    }

    /// Exporter-wide metrics without an `org` label: build facts, reloads, process, web server.
    package let processStore: MetricStore
    private let process: ProcessMetrics
    private let members = Mutex<[String: Member]>([:])
    /// By syntax, then by org: text and OpenMetrics scrapes each keep their own.
    private let compressed = Mutex<[ExpositionSyntax: [String: CompressedPart]]>([:])
    /// Each family's `# HELP`/`# TYPE` lines compressed, by syntax and family.
    private let headerChunks = Mutex<[ExpositionSyntax: [String: GzipSplice.Chunk]]>([:])
    /// Reads `--config.file` again; nil for one org without it, which is then not labelled.
    private let loadOrgs: (@Sendable () throws(ConfigurationError) -> [ConfiguredOrg])?
    private let logger: Logger
    private let clock: any ExporterClock
    /// One timer for every org's streamed publications that must wait.
    private let publications: PublicationTicker

    /// Whether series carry an `org` label: only the orgs of `--config.file` do.
    package var labelled: Bool { loadOrgs != nil }

    /// `--web.openmetrics-created-samples`: every store's OpenMetrics page carries `_created`.
    private let createdSamples: Bool

    package init(
        loadOrgs: (@Sendable () throws(ConfigurationError) -> [ConfiguredOrg])?, logger: Logger,
        clock: any ExporterClock = SystemClock(), openMetricsCreatedSamples: Bool = false
    ) {
        self.loadOrgs = loadOrgs
        self.logger = logger
        self.clock = clock
        createdSamples = openMetricsCreatedSamples
        processStore = MetricStore(clock: clock, createdSamples: openMetricsCreatedSamples)
        publications = PublicationTicker(clock: clock)
        process = ProcessMetrics(registry: processStore.liveRegistry)
        processStore.registry.registerBuildInfo(
            version: BuildInfo.version, revision: BuildInfo.revision, swiftVersion: BuildInfo.swiftVersion)
        if loadOrgs != nil {
            for result in ["success", "failure"] { reloads(result).increment(by: Int64(0)) }
        }
    }

    package var orgNames: [String] { members.withLock { $0.keys.sorted() } }

    /// Starts `orgs` (the configuration read at start-up) and records it as a successful load.
    package func start(_ orgs: [ConfiguredOrg]) {
        precondition(labelled || orgs.count == 1, "an unlabelled fleet is one org")
        members.withLock { members in
            for org in orgs { members[org.name] = launch(org) }
        }
        if labelled { recordLoad(succeeded: true) }
    }

    /// Reads the configuration again and applies the difference; an invalid file keeps the running set.
    package func reload() -> (ok: Bool, message: String) {
        guard let loadOrgs else { return (false, "nothing to reload: the exporter runs without --config.file") }
        let orgs: [ConfiguredOrg]
        do { orgs = try loadOrgs() } catch {
            recordLoad(succeeded: false)
            countReload(succeeded: false)
            logger.error("configuration reload failed; keeping the running orgs", metadata: ["error": "\(error)"])
            return (false, "reload failed, the running orgs are kept: \(error)")
        }
        var (added, removed, changed, unchanged) = (0, 0, 0, 0)
        members.withLock { members in
            let wanted = Set(orgs.map(\.name))
            for (name, member) in members where !wanted.contains(name) {
                member.task.cancel()
                members[name] = nil
                removed += 1
            }
            for org in orgs {
                if let running = members[org.name] {
                    if org.isUnchanged(from: running.org) {
                        unchanged += 1
                        continue
                    }
                    running.task.cancel()
                    changed += 1
                } else {
                    added += 1
                }
                members[org.name] = launch(org)
            }
        }
        compressed.withLock { bySyntax in
            for syntax in bySyntax.keys {
                bySyntax[syntax] = bySyntax[syntax]?.filter { name, _ in orgs.contains { $0.name == name } }
            }
        }
        recordLoad(succeeded: true)
        countReload(succeeded: true)
        let summary =
            "\(orgs.count) orgs: \(added) added, \(removed) removed, \(changed) restarted, \(unchanged) unchanged"
        logger.info("configuration reloaded", metadata: ["orgs": "\(summary)"])
        return (true, summary)
    }

    /// Stops every org and waits until each has flushed its token cache and closed its connections.
    package func stop() async {
        let tasks = members.withLock { members in
            let tasks = members.values.map(\.task)
            members.removeAll()
            return tasks
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    /// Every org's collectors and token for the status page, by org name.
    package func status() -> StatusSnapshot {
        let current = members.withLock { members in members.values.sorted { $0.org.name < $1.org.name } }
        let labelled = labelled
        return StatusSnapshot(
            orgs: current.map { $0.monitor.status(name: labelled ? $0.org.name : nil) }, now: clock.unixNow)
    }

    /// Ready when every org finished its first poll with at least one collector succeeding.
    package func readiness() -> (ready: Bool, reason: String) {
        if !labelled {
            guard let member = members.withLock({ $0.values.first }) else { return (false, "not started") }
            return member.monitor.readinessStatus()
        }
        let waiting = members.withLock { members in
            members.values.sorted { $0.org.name < $1.org.name }.compactMap { member -> String? in
                let status = member.monitor.readinessStatus()
                return status.ready ? nil : "org \(member.org.name): \(status.reason)"
            }
        }
        return waiting.isEmpty ? (true, "") : (false, waiting.joined(separator: "; "))
    }

    /// Every org's series with its `org` label and the exporter-wide ones, or only the series of `org`.
    package func render(
        _ encoding: ExpositionEncoding, syntax: ExpositionSyntax = .text, org: String?
    ) -> RenderedExposition? {
        let current = members.withLock { members in members.values.sorted { $0.org.name < $1.org.name } }
        if !labelled {
            // One org, no org label: `?org=` names no org here; the org's series are the exporter-wide store's.
            guard org == nil, let member = current.first else { return nil }
            return processStore.render(encoding, syntax: syntax) {
                member.monitor.prepareScrape()
                process.update()
            }
        }
        if let org {
            guard let member = current.first(where: { $0.org.name == org }) else { return nil }
            var families = stableFamilies(of: member, syntax)
            families.absorb(liveFamilies(of: member, syntax))
            return RenderedExposition(page: Self.page(families, syntax), encoding: encoding)
        }
        var liveFamilies = converted(
            ExpositionFamilies(page: processStore.liveSnapshot { process.update() }, org: nil), processStore, syntax,
            live: true)
        for member in current { liveFamilies.absorb(self.liveFamilies(of: member, syntax)) }
        let live = Self.page(liveFamilies, syntax)
        let exporterWide = converted(
            ExpositionFamilies(page: processStore.stableSnapshot().plain, org: nil), processStore, syntax, live: false)
        guard encoding == .gzip else {
            // Org by org into one set of families, sent family by family: the fleet's text is held once, not once
            // per org and again as a merged page (132 MB each for 200 orgs × 50 queues).
            var merged = exporterWide
            for member in current { merged.absorb(stableFamilies(of: member, syntax)) }
            let parts = syntax == .protobuf ? ProtobufExposition.delimitedParts(merged) : merged.parts()
            return RenderedExposition(parts: parts + [live], encoding: .identity)
        }
        // The gzip page is joined from pieces compressed once per change of their org: a scrape compresses only the
        // orgs that changed since the last one, and the live lines.
        let prefix = GzipSplice.join(joinedChunks(process: exporterWide, current: current, syntax))
        return RenderedExposition(parts: [prefix.bytes, GzipSplice.suffix(after: prefix, live)], encoding: .gzip)
    }

    /// The compressed pieces of the poll-driven page in page order: per family, its header, then each part's samples.
    private func joinedChunks(
        process: ExpositionFamilies, current: [Member], _ syntax: ExpositionSyntax
    ) -> [GzipSplice.Chunk] {
        let parts =
            [(process.order, process.samples.mapValues { GzipSplice.chunk($0) }, process)]
            + current.map { member in
                let chunks = compressedFamilies(of: member, syntax)
                return (chunks.families.order, chunks.chunks, chunks.families)
            }
        var order: [String] = []
        var seen: Set<String> = []
        for part in parts {
            for name in part.0 where seen.insert(name).inserted { order.append(name) }
        }
        var chunks: [GzipSplice.Chunk] = []
        for name in order {
            let samples = parts.compactMap { $0.1[name] }
            if let header = parts.lazy.compactMap({ $0.2.headers[name] }).first {
                if syntax == .protobuf {
                    // A message's length comes first: it depends on every org's part, so it is compressed per scrape
                    // with the few bytes of the family's header fields.
                    let length = header.count + samples.reduce(0) { $0 + $1.length }
                    chunks.append(GzipSplice.smallChunk(ProtobufExposition.lengthPrefix(length) + header))
                } else {
                    chunks.append(
                        headerChunks.withLock { cache in
                            if let hit = cache[syntax]?[name] { return hit }
                            let chunk = GzipSplice.chunk(header)
                            cache[syntax, default: [:]][name] = chunk
                            return chunk
                        })
                }
            }
            chunks += samples
        }
        return chunks
    }

    /// A page of `families` in `syntax`, whole (what ends it included).
    private static func page(_ families: ExpositionFamilies, _ syntax: ExpositionSyntax) -> [UInt8] {
        switch syntax {
        case .text: Array(families.parts().joined())
        case .openMetrics: Array(families.parts().joined()) + OpenMetricsRewrite.eof
        case .protobuf: Array(ProtobufExposition.delimitedParts(families).joined())
        }
    }

    /// Text families of `store` in `syntax`.
    private func converted(
        _ families: ExpositionFamilies, _ store: MetricStore, _ syntax: ExpositionSyntax, live: Bool
    ) -> ExpositionFamilies {
        switch syntax {
        case .text: families
        case .openMetrics: store.openMetrics(families, live: live)
        case .protobuf: store.protobuf(families)
        }
    }

    /// An org's families and their compressed samples, compressed once per change of the org.
    private func compressedFamilies(
        of member: Member, _ syntax: ExpositionSyntax
    ) -> (families: ExpositionFamilies, chunks: [String: GzipSplice.Chunk]) {
        // The generation is read before rendering: a change during the render only causes one more render later.
        let generation = member.store.stableGeneration
        if let part = compressed.withLock({ $0[syntax]?[member.org.name] }), part.generation == generation {
            return (part.headers, part.chunks)
        }
        let families = stableFamilies(of: member, syntax)
        let chunks = families.samples.mapValues { GzipSplice.chunk($0) }
        // Only the headers are kept (and returned): a scrape joining many changed orgs holds no plain text.
        let headers = families.withoutSamples()
        compressed.withLock {
            $0[syntax, default: [:]][member.org.name] = CompressedPart(
                generation: generation, headers: headers, chunks: chunks)
        }
        return (headers, chunks)
    }

    /// An org's poll-driven families with its `org` label, rendered now.
    private func stableFamilies(of member: Member, _ syntax: ExpositionSyntax) -> ExpositionFamilies {
        let families = ExpositionFamilies(page: member.store.renderStable(), org: member.org.name)
        return converted(families, member.store, syntax, live: false)
    }

    private func liveFamilies(of member: Member, _ syntax: ExpositionSyntax) -> ExpositionFamilies {
        let families = ExpositionFamilies(
            page: member.store.liveSnapshot { member.monitor.prepareScrape() }, org: member.org.name)
        return converted(families, member.store, syntax, live: true)
    }

    private func launch(_ org: ConfiguredOrg) -> Member {
        var orgLogger = logger
        if labelled { orgLogger[metadataKey: "org"] = "\(org.name)" }
        let store = labelled ? MetricStore(clock: clock, createdSamples: createdSamples) : processStore
        let monitor = OrgMonitor(
            settings: org.settings, store: store, logger: orgLogger, clock: clock,
            firstPollDelay: labelled ? Self.spread(org.name, over: org.settings.pollInterval) : .zero,
            ticker: publications)
        let task = Task { await monitor.run() }
        return Member(org: org, monitor: monitor, store: store, task: task)
    }

    /// Where in the interval an org's first poll falls: fixed per name, so hundreds of orgs start spread out.
    static func spread(_ name: String, over interval: Duration) -> Duration {
        interval * (Double(OrgShard.hash(name) % 1000) / 1000)
    }

    private func reloads(_ result: String) -> Counter {
        processStore.registry.counter(
            "genesys_exporter_config_reloads_total", "Loads of --config.file after start-up, by result.",
            labels: [("result", result)])
    }

    private func recordLoad(succeeded: Bool) {
        let count = members.withLock { $0.count }
        let now = clock.unixNow
        processStore.publish {
            processStore.registry.gauge(
                "genesys_exporter_config_last_reload_successful",
                "1 when the last load of --config.file succeeded; 0 while a broken file is ignored."
            ).set(succeeded ? 1.0 : 0.0)
            if succeeded {
                processStore.registry.gauge(
                    "genesys_exporter_config_last_reload_success_timestamp_seconds",
                    "Unix time of the last successful load of --config.file."
                ).set(now)
            }
            processStore.registry.gauge("genesys_exporter_orgs", "Orgs this exporter monitors (its shard's).").set(
                Double(count))
        }
    }

    /// Counts a reload attempt (not the load at start-up).
    private func countReload(succeeded: Bool) {
        processStore.publish { reloads(succeeded ? "success" : "failure").increment() }
    }
}
