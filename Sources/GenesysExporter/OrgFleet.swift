import GenesysBase
import GenesysTelemetry
import Logging
import Prometheus
import Synchronization

/// The orgs of a multi-org exporter: one `OrgMonitor` per org, each with its own token, connections, collectors,
/// readiness, budget and metric store, running as its own task, so a failing or rate-limited org never slows another.
/// Reloading starts added orgs, stops removed ones (their series go with them), restarts changed ones and leaves
/// unchanged ones running with their tokens.
package final class OrgFleet: Sendable {
    private struct Member: Sendable {
        let org: ConfiguredOrg
        let monitor: OrgMonitor
        let store: MetricStore
        let task: Task<Void, Never>
    }

    /// An org's poll-driven page split into families with its `org` label, kept until its store changes.
    private struct LabelledPart: Sendable {
        let generation: UInt64
        let families: ExpositionFamilies
    }

    /// The merged poll-driven page of every org, kept until one of them changes (or the set of orgs does).
    private struct MergedPage: Sendable {
        let key: [String: UInt64]
        let plain: [UInt8]
        var gzipped: GzipSplice.Prefix?
    }

    /// Exporter-wide metrics without an `org` label: build facts, reloads, process, web server.
    package let processStore = MetricStore()
    private let process: ProcessMetrics
    private let members = Mutex<[String: Member]>([:])
    private let labelled = Mutex<[String: LabelledPart]>([:])
    private let merged = Mutex<MergedPage?>(nil)
    private let loadOrgs: @Sendable () throws(ConfigurationError) -> [ConfiguredOrg]
    private let logger: Logger
    private let clock: any ExporterClock

    package init(
        loadOrgs: @escaping @Sendable () throws(ConfigurationError) -> [ConfiguredOrg], logger: Logger,
        clock: any ExporterClock = SystemClock()
    ) {
        self.loadOrgs = loadOrgs
        self.logger = logger
        self.clock = clock
        process = ProcessMetrics(registry: processStore.liveRegistry)
        processStore.registry.gauge(
            "genesys_exporter_build_info", "Version facts of the running exporter; always 1.",
            labels: [
                ("version", BuildInfo.version), ("revision", BuildInfo.revision),
                ("swift_version", BuildInfo.swiftVersion),
            ]
        ).set(1.0)
        for result in ["success", "failure"] { reloads(result).increment(by: Int64(0)) }
    }

    package var orgNames: [String] { members.withLock { $0.keys.sorted() } }

    /// Starts `orgs` (the configuration read at start-up) and records it as a successful load.
    package func start(_ orgs: [ConfiguredOrg]) {
        members.withLock { members in
            for org in orgs { members[org.name] = launch(org) }
        }
        recordLoad(succeeded: true)
    }

    /// Reads the configuration again and applies the difference; an invalid file keeps the running set.
    package func reload() -> (ok: Bool, message: String) {
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
        labelled.withLock { parts in parts = parts.filter { name, _ in orgs.contains { $0.name == name } } }
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

    /// Ready when every org finished its first poll with at least one collector succeeding.
    package func readiness() -> (ready: Bool, reason: String) {
        let waiting = members.withLock { members in
            members.values.sorted { $0.org.name < $1.org.name }.compactMap { member -> String? in
                let status = member.monitor.readinessStatus()
                return status.ready ? nil : "org \(member.org.name): \(status.reason)"
            }
        }
        return waiting.isEmpty ? (true, "") : (false, waiting.joined(separator: "; "))
    }

    /// Every org's series with its `org` label and the exporter-wide ones, or only the series of `org`.
    package func render(_ encoding: ExpositionEncoding, org: String?) -> RenderedExposition? {
        let current = members.withLock { members in members.values.sorted { $0.org.name < $1.org.name } }
        if let org {
            guard let member = current.first(where: { $0.org.name == org }) else { return nil }
            let page = ExpositionFamilies.merge([stableFamilies(of: member), liveFamilies(of: member)])
            return RenderedExposition(page: page, encoding: encoding)
        }
        let live = ExpositionFamilies.merge(
            current.map { liveFamilies(of: $0) }
                + [ExpositionFamilies(page: processStore.liveSnapshot { process.update() }, org: nil)])
        let stable = mergedStable(current)
        guard encoding == .gzip else { return RenderedExposition(parts: [stable.plain, live], encoding: .identity) }
        let prefix = stable.gzipped ?? GzipSplice.prefix(stable.plain)
        if stable.gzipped == nil {
            merged.withLock { if $0?.key == stable.key { $0?.gzipped = prefix } }
        }
        return RenderedExposition(parts: [prefix.bytes, GzipSplice.suffix(after: prefix, live)], encoding: .gzip)
    }

    private func mergedStable(_ current: [Member]) -> MergedPage {
        var parts: [ExpositionFamilies] = []
        var key: [String: UInt64] = [:]
        let processSnapshot = processStore.stableSnapshot()
        key[""] = processSnapshot.generation
        for member in current {
            let part = stableFamilies(of: member)
            key[member.org.name] = labelled.withLock { $0[member.org.name]?.generation }
            parts.append(part)
        }
        if let hit = merged.withLock({ $0 }), hit.key == key { return hit }
        let page = MergedPage(
            key: key,
            plain: ExpositionFamilies.merge(
                [ExpositionFamilies(page: processSnapshot.plain, org: nil)] + parts))
        merged.withLock { $0 = page }
        return page
    }

    private func stableFamilies(of member: Member) -> ExpositionFamilies {
        let snapshot = member.store.stableSnapshot()
        if let hit = labelled.withLock({ $0[member.org.name] }), hit.generation == snapshot.generation {
            return hit.families
        }
        let families = ExpositionFamilies(page: snapshot.plain, org: member.org.name)
        labelled.withLock { $0[member.org.name] = LabelledPart(generation: snapshot.generation, families: families) }
        return families
    }

    private func liveFamilies(of member: Member) -> ExpositionFamilies {
        ExpositionFamilies(page: member.store.liveSnapshot { member.monitor.prepareScrape() }, org: member.org.name)
    }

    private func launch(_ org: ConfiguredOrg) -> Member {
        var orgLogger = logger
        orgLogger[metadataKey: "org"] = "\(org.name)"
        let store = MetricStore()
        let monitor = OrgMonitor(
            settings: org.settings, store: store, logger: orgLogger, clock: clock,
            firstPollDelay: Self.spread(org.name, over: org.settings.pollInterval))
        let task = Task { await monitor.run() }
        return Member(org: org, monitor: monitor, store: store, task: task)
    }

    /// Where in the interval an org's first poll falls: fixed per name, so hundreds of orgs start spread out.
    static func spread(_ name: String, over interval: Duration) -> Duration {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return interval * (Double(hash % 1000) / 1000)
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
