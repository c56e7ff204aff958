import GenesysAPI
import GenesysAuth
import GenesysBase
import GenesysCollectors
import GenesysHTTP
import GenesysNotifications
import GenesysServer
import GenesysTelemetry
import Logging
import Prometheus
import Synchronization

/// Everything the exporter needs to monitor one Genesys Cloud org: its token, API client,
/// collectors and readiness. All per-org state lives here (no globals), so several orgs can
/// share one process later.
package final class OrgMonitor: Sendable {
    package let settings: OrgSettings
    package let http: HTTPClient
    package let tokens: TokenProvider
    package let api: GenesysAPIClient
    package let collectors: [any Collector]
    private let store: MetricStore
    private let tokenMetrics: TokenMetrics
    private let collectorMetrics: CollectorMetrics
    private let context: CollectorContext
    /// The org's notification stream, shared by the collectors that stream; nil when all of them poll.
    private let notifications: NotificationHub?
    private let readiness = Mutex(ReadinessState())
    /// Each collector's last results and next poll, for the status page.
    private let statuses: Mutex<[String: StatusSnapshot.Collector]>
    private let logger: Logger
    private let clock: any ExporterClock
    private let firstPollDelay: Duration
    private let registry: PrometheusCollectorRegistry

    /// Below this share of the rate-limit window left, polls slow down (doubling, up to `maxSlowdown`×).
    static let lowHeadroom = 0.2
    static let maxSlowdown = 8

    /// `firstPollDelay` spreads the first polls of many orgs over the interval, so they do not start at once;
    /// `ticker` is the fleet's one timer for streamed publications (nil: the org's own).
    package init(
        settings: OrgSettings, store: MetricStore = MetricStore(), logger: Logger,
        clock: any ExporterClock = SystemClock(), firstPollDelay: Duration = .zero, ticker: PublicationTicker? = nil
    ) {
        self.settings = settings
        self.firstPollDelay = firstPollDelay
        self.clock = clock
        self.store = store
        let registry = store.registry
        self.registry = registry
        self.logger = logger
        http = HTTPClient(
            configuration: HTTPClientConfiguration(
                connectTimeout: settings.connectTimeout, timeout: settings.requestTimeout,
                maxResponseBytes: settings.maxResponseBytes,
                extraCAFile: settings.extraCAFile, userAgent: BuildInfo.userAgent))
        tokenMetrics = TokenMetrics(store: store, grant: settings.token.grant)
        tokens = TokenProvider(
            configuration: settings.token, http: http, metrics: tokenMetrics, logger: logger, clock: clock)
        collectors = CollectorRegistry.make(
            settings.enabledCollectors, store: store, grant: settings.token.grant,
            options: settings.collectorOptions)
        let enabled = collectors.map(\.name)
        api = GenesysAPIClient(
            apiBaseURL: settings.token.hosts.apiBaseURL, tokens: tokens, http: http,
            metrics: APIMetrics(store: store, endpoints: collectors.flatMap(\.endpoints)),
            logger: logger, timeout: settings.requestTimeout)
        let channels = collectors.compactMap { ($0 as? any StreamingCollector)?.notificationChannels }.max()
        var streamSettings = NotificationStreamSettings()
        streamSettings.caFile = settings.extraCAFile
        streamSettings.maxChannels = channels ?? streamSettings.maxChannels
        let notifications =
            channels == nil
            ? nil
            : NotificationHub(
                api: api, clock: clock, store: store, logger: logger, settings: streamSettings, ticker: ticker)
        self.notifications = notifications
        context = CollectorContext(
            api: api, registry: registry, grant: settings.token.grant, queueSelection: settings.queueSelection,
            queueDirectory: QueueDirectory(), logger: logger, clock: clock, extraCAFile: settings.extraCAFile,
            notifications: notifications)
        collectorMetrics = CollectorMetrics(store: store, collectors: enabled)
        readiness.withLock { $0.pending = Set(enabled) }
        var initial: [String: StatusSnapshot.Collector] = [:]
        for name in enabled {
            var status = StatusSnapshot.Collector(name: name)
            status.nextPoll = clock.unixNow + firstPollDelay.seconds
            initial[name] = status
        }
        statuses = Mutex(initial)
    }

    /// Polls until cancelled: the scheduled token refresh and one loop per collector.
    package func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.tokens.runScheduledRefresh() }
            if let notifications { group.addTask { await notifications.run() } }
            for collector in collectors {
                group.addTask { await self.poll(collector) }
                if let streaming = collector as? any StreamingCollector, streaming.notificationChannels != nil {
                    group.addTask { [store, context] in
                        await streaming.stream(context) { update in store.publish(update) }
                    }
                }
            }
        }
        await tokens.flushCache()
        await http.close()
    }

    /// Sets the gauges that depend on the moment of the scrape.
    package func prepareScrape() {
        tokenMetrics.refreshScrapeTimeGauges(now: clock.now)
    }

    /// This org on the status page; `name` is its `org` label (nil without `--config.file`).
    package func status(name: String?) -> StatusSnapshot.Org {
        let collectors = statuses.withLock { statuses in self.collectors.compactMap { statuses[$0.name] } }
        return StatusSnapshot.Org(
            name: name, apiBaseURL: settings.token.hosts.apiBaseURL, tokenExpiry: tokenMetrics.currentExpiryUnix,
            tokenFailureReason: tokenMetrics.lastFailureReason?.rawValue, collectors: collectors)
    }

    /// Ready once the first poll of every collector has finished and at least one succeeded.
    package func readinessStatus() -> (ready: Bool, reason: String) {
        if let problem = tokens.persistenceProblem { return (false, problem) }
        return readiness.withLock { $0.status }
    }

    /// One collection, in a child task so that its API calls' async frames do not stay with the poll loop.
    private static func collectInChildTask(
        _ collector: any Collector, _ context: CollectorContext
    ) async throws(APIError) -> Publication {
        let outcome = await inChildTask { () async -> Result<Publication, APIError> in
            do throws(APIError) { return .success(try await collector.collect(context)) } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    private func poll(_ collector: any Collector) async {
        let interval = collector.pollInterval ?? settings.pollInterval
        var schedule = PollSchedule(interval: interval, failureCap: settings.failureBackoffCap)
        var slowdown = 1
        var previousSlowdown = 1
        let callsAPI = collector.callsGenesysAPI
        let collectorMetrics = collectorMetrics
        store.publish { collectorMetrics.recordPollInterval(collector.name, seconds: interval.seconds) }
        if firstPollDelay > .zero {
            do { try await clock.sleep(for: firstPollDelay) } catch { return }
        }
        while !Task.isCancelled {
            let started = clock.now
            statuses.withLock { $0[collector.name]?.nextPoll = nil }
            let delay: Duration
            do {
                let publish = try await Self.collectInChildTask(collector, context)
                delay = succeeded(collector, publish, took: clock.now - started, schedule: &schedule)
            } catch {
                if Task.isCancelled { break }
                delay = failed(collector, error, took: clock.now - started, schedule: &schedule)
            }
            // The budget: while the token's rate-limit window runs low, every collector of this org waits longer
            // (but the status page, which spends another host's).
            if callsAPI, let share = api.rateLimit.remainingShare, share < Self.lowHeadroom {
                slowdown = min(slowdown * 2, Self.maxSlowdown)
            } else {
                slowdown = 1
            }
            // Published only when it changes: every publication makes the next scrape render the page again.
            if slowdown != previousSlowdown {
                let factor = slowdown
                store.publish {
                    collectorMetrics.recordPollInterval(collector.name, seconds: interval.seconds * Double(factor))
                }
                previousSlowdown = slowdown
            }
            let nextPoll = clock.unixNow + (delay * slowdown).seconds
            statuses.withLock { $0[collector.name]?.nextPoll = nextPoll }
            do { try await clock.sleep(for: delay * slowdown) } catch { break }
        }
    }

    // What follows a collection is done in plain functions: locals of the async loop live in its task's frame for
    // the org's life, and these (log metadata, texts) need not.

    /// Publishes a successful collection and records it; returns the wait until the next one.
    private func succeeded(
        _ collector: any Collector, _ publish: @escaping Publication, took: Duration, schedule: inout PollSchedule
    ) -> Duration {
        let collectorMetrics = collectorMetrics
        let callsAPI = collector.callsGenesysAPI
        store.publish {
            publish()
            collectorMetrics.recordRun(
                collector.name, succeeded: true, reachedAPI: callsAPI ? true : nil, took: took, at: clock.unixNow)
        }
        readiness.withLock { $0.finished(collector.name, failure: nil) }
        let finished = clock.unixNow
        statuses.withLock {
            $0[collector.name]?.lastSuccess = finished
            $0[collector.name]?.up = true
        }
        logger.debug(
            "collector succeeded",
            metadata: ["collector": "\(collector.name)", "duration_ms": "\(took.wholeMilliseconds)"])
        return schedule.afterSuccess()
    }

    /// Records a failed collection (its last values stay); returns the wait until the next one.
    private func failed(
        _ collector: any Collector, _ error: APIError, took: Duration, schedule: inout PollSchedule
    ) -> Duration {
        let collectorMetrics = collectorMetrics
        let callsAPI = collector.callsGenesysAPI
        let reachedAPI = error.tokenError == nil && ![.unauthorized, .network, .timeout].contains(error.reason)
        store.publish {
            collectorMetrics.recordRun(
                collector.name, succeeded: false, reachedAPI: callsAPI ? reachedAPI : nil, took: took,
                at: clock.unixNow)
        }
        let hint = error.missingPermission.map { "; the OAuth client's role lacks the permission \($0)" } ?? ""
        readiness.withLock {
            $0.finished(
                collector.name,
                failure: "\(collector.name): \(error.tokenError?.description ?? error.description)")
        }
        let delay = schedule.afterFailure(retryAfter: error.retryAfter ?? error.tokenError?.retryAfter)
        let finished = clock.unixNow
        let reason = SafeExcerpt.of(error.tokenError?.description ?? error.description, limit: 300)
        statuses.withLock {
            $0[collector.name]?.lastFailure = finished
            $0[collector.name]?.lastFailureReason = reason + hint
            $0[collector.name]?.up = false
        }
        logger.warning(
            "collector failed; keeping its last values",
            metadata: [
                "collector": "\(collector.name)",
                "reason": "\(error.tokenError?.reason.rawValue ?? error.reason.rawValue)",
                "error": "\(error.tokenError?.description ?? error.description)\(hint)",
                "retry_in_s": "\(delay.wholeSeconds)",
            ])
        return delay
    }
}
