import FoundationEssentials
import GenesysAPI
import GenesysAuth
import GenesysBase
import GenesysJSON
import GenesysTelemetry
import Glibc
import Prometheus
import Synchronization

/// Queue service metrics from conversation aggregates. Genesys counts each metric at its own event time, so the
/// collector queries consecutive, non-overlapping whole-minute windows that end `lag` before now and adds each
/// window to counters: no conversation is counted twice, none is skipped while the exporter runs, and a restart
/// starts from its own start (no replayed history; Prometheus sees a counter reset). Today's service level is
/// Genesys' own figure (oServiceLevel since midnight in `time-zone`, the org's service-level settings applied).
struct QueuePerformanceCollector: Collector {
    static let name = "queue_performance"
    static let help = "Per-queue offered, answered, abandoned, handle times, service level."
    static let options = [
        CollectorOption(
            name: "lag", valueName: "duration",
            help: "Windows end this long before now, so late data has settled (2m)."),
        CollectorOption(
            name: "time-zone", valueName: "zone",
            help: "IANA time zone whose midnight starts today's service level (UTC)."),
        CollectorOption(
            name: "service-level-interval", valueName: "duration",
            help: "Ask for today's service level at most this often; 0s: every poll (5m)."),
        CollectorOption(
            name: "conversation-metrics", valueName: "groups",
            help: "Groups of extra counters, or all (default none: up to 260 series/queue)."),
        CollectorOption(
            name: "wrapup-codes", valueName: "n",
            help: "Handled per wrap-up code, top n (default 0, off: n + 2 series/queue)."),
    ]
    static let defaultLag: Duration = .seconds(120)
    /// Today's service level is a ratio over the whole day, which one more minute moves little; its query answers as
    /// many bytes as the counted window's, so it is repeated at most this often (and at once after midnight or when
    /// the selected queues change).
    static let defaultServiceLevelInterval: Duration = .seconds(300)
    /// The longest window one query covers; after an outage the collector catches up window by window.
    static let longestWindowMillis: Int64 = 6 * 3_600_000
    static let windowMetrics = ["nOffered", "tAnswered", "tAbandon", "tShortAbandon", "nOverSla", "tHandle", "tWait"]

    /// The wrap-up code listing only when its counts are on: each endpoint has series of its own in every org.
    let endpoints: [Endpoint]
    private let lagMillis: Int64
    private let timeZone: TimeZoneRules
    private let serviceLevelInterval: Duration
    private let cursor = WindowCursor()
    private let lastToday = RecentResult<ServiceLevelAsked>()
    private let selection = ChangeDetector<Set<String>>()
    private let counters: [(source: CounterSource, series: CounterSeriesSet)]
    /// The window query's metrics: the service ones and those of the conversation counters asked for.
    private let countedMetrics: [String]
    /// Whether the window query groups by direction (the conversation counters are on).
    private let byDirection: Bool
    private let wrapup: WrapupCodeCounter?
    private let serviceLevel: GaugeSeriesSet
    private let serviceTarget: GaugeSeriesSet
    private let registry: PrometheusCollectorRegistry

    static func endpoints(grant: OAuthGrant) -> [Endpoint] { [.conversationAggregates, .wrapupCodes] }

    static func check(
        _ endpoint: Endpoint, api: GenesysAPIClient, probe: inout CheckProbe
    ) async throws(APIError)
        -> APIResult?
    {
        if endpoint == .wrapupCodes { return try await api.get(endpoint, query: [("pageSize", "1")]) }
        guard let id = probe.firstQueueID else { return nil }
        let end = settledEnd(now: millis(Date().timeIntervalSince1970), lagMillis: defaultLag.wholeMilliseconds)
        // Every metric the collector may ask for, grouped as with the conversation counters on: Genesys refuses a
        // query naming a metric it does not know, so `check` proves them all.
        var metrics = windowMetrics
        for source in ConversationCounterGroups.sources(ConversationCounterGroups.names)
        where !metrics.contains(source.metric) {
            metrics.append(source.metric)
        }
        let queue = [RoutingQueue(id: id, name: "")]
        // The wrap-up codes' grouping too (`wrapup-codes`): a refusal of either shows.
        _ = try await api.post(endpoint, body: WrapupCodeCounter.query(for: queue, from: end - 60_000, to: end))
        return try await api.post(
            endpoint, body: query(for: queue, from: end - 60_000, to: end, metrics: metrics, byDirection: true))
    }

    static func validate(options: [String: String]) throws(ConfigurationError) {
        _ = try settings(options)
    }

    static func settings(
        _ options: [String: String]
    ) throws(ConfigurationError) -> (
        lag: Duration, zone: TimeZoneRules, serviceLevelInterval: Duration, conversationGroups: [String],
        wrapupCodes: Int
    ) {
        var lag = defaultLag
        if let text = options["lag"] {
            guard let value = DurationParser.parse(text), value <= .seconds(3600) else {
                throw .invalid(
                    setting: "--collector.\(name).lag", reason: "'\(text)' is not a duration from 0s to 1h")
            }
            lag = value
        }
        let zoneName = options["time-zone"] ?? "UTC"
        guard let zone = TimeZoneRules.named(zoneName) else {
            throw .invalid(
                setting: "--collector.\(name).time-zone",
                reason: "'\(zoneName)' is not an IANA time zone in \(TimeZoneRules.systemDirectory)"
                    + " (e.g. Europe/Berlin, America/New_York; Debian's tzdata package installs them)")
        }
        let serviceLevelInterval =
            try CollectorOptionValue.duration(options, "service-level-interval", of: name, least: .zero)
            ?? defaultServiceLevelInterval
        let groups =
            try CollectorOptionValue.choices(
                options, "conversation-metrics", of: name, from: ConversationCounterGroups.names) ?? []
        let wrapupCodes = try CollectorOptionValue.wholeNumber(options, "wrapup-codes", of: name, in: 0...1000) ?? 0
        return (lag, zone, serviceLevelInterval, groups, wrapupCodes)
    }

    static func make(store: MetricStore, grant: OAuthGrant, options: [String: String]) -> Self {
        let settings =
            (try? Self.settings(options))
            ?? (
                lag: defaultLag, zone: TimeZoneRules.utc, serviceLevelInterval: defaultServiceLevelInterval,
                conversationGroups: [], wrapupCodes: 0
            )
        return Self(
            store: store, lag: settings.lag, timeZone: settings.zone,
            serviceLevelInterval: settings.serviceLevelInterval, conversationGroups: settings.conversationGroups,
            wrapupCodes: settings.wrapupCodes)
    }

    init(
        store: MetricStore, lag: Duration, timeZone: TimeZoneRules,
        serviceLevelInterval: Duration = defaultServiceLevelInterval, conversationGroups: [String] = [],
        wrapupCodes: Int = 0
    ) {
        wrapup = wrapupCodes > 0 ? WrapupCodeCounter(store: store, most: wrapupCodes) : nil
        endpoints = wrapupCodes > 0 ? [.conversationAggregates, .wrapupCodes] : [.conversationAggregates]
        lagMillis = lag.wholeMilliseconds
        self.serviceLevelInterval = serviceLevelInterval
        self.timeZone = timeZone
        let conversation = ConversationCounterGroups.sources(conversationGroups)
        counters = (CounterSource.all + conversation).map {
            ($0, CounterSeriesSet(store: store, name: $0.name, help: $0.help))
        }
        var metrics = Self.windowMetrics
        for source in conversation where !metrics.contains(source.metric) { metrics.append(source.metric) }
        countedMetrics = metrics
        byDirection = !conversation.isEmpty
        serviceLevel = GaugeSeriesSet(
            store: store, name: "genesys_queue_service_level_ratio",
            help: "Genesys' service level for today so far (oServiceLevel since midnight in the configured zone).")
        serviceTarget = GaugeSeriesSet(
            store: store, name: "genesys_queue_service_level_target_ratio",
            help: "The queue's service-level target (oServiceTarget).")
        self.registry = store.registry
    }

    func collect(_ context: CollectorContext) async throws(APIError) -> Publication {
        let queues = try await QueueQuery.selectedQueues(context)
        let now = Self.millis(context.clock.unixNow)
        let settled = Self.settledEnd(now: now, lagMillis: lagMillis)
        let start = cursor.start(orBegin: settled)
        let end = min(settled, start + Self.longestWindowMillis)
        var counted = ConversationAggregates()
        if end > start {
            for batch in QueueQuery.batches(queues) {
                let body = Self.query(
                    for: batch, from: start, to: end, metrics: countedMetrics, byDirection: byDirection)
                try await add(body, to: &counted, context)
            }
        }
        let names = Dictionary(queues.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let wrapupIncrements =
            end > start ? try await wrapup?.increments(queues, from: start, to: end, queueNames: names, context) : nil
        let today = try await todaysServiceLevelIfDue(queues, now: now, context)
        cursor.advance(to: max(start, end))
        // The service counters have no direction: a query grouped by it is added up per queue and media type.
        if byDirection { counted = counted.missingDirectionsUnknown() }
        let service = byDirection ? counted.mergingDirections() : counted
        // Every queue and media type with traffic today gets its series from the first poll on, at 0 until a window
        // adds to it: rate() and increase() then count a series' first window too.
        var keys = Set(service.stats.keys)
        if let today { keys.formUnion(today.stats.keys) }
        // The conversation counters: each of those in both directions, and any other direction Genesys named.
        var directionKeys = Set(counted.stats.keys.filter { $0.direction == "unknown" })
        if byDirection {
            for key in keys {
                for direction in ConversationCounterGroups.directions {
                    directionKeys.insert(.init(queueID: key.queueID, mediaType: key.mediaType, direction: direction))
                }
            }
        }
        // The counters share their label sets (one group by direction, one without): each is built and numbered once.
        let groups = [false, true].compactMap { byDirection -> CounterGroup? in
            let members = counters.filter { $0.source.byDirection == byDirection }
            guard !members.isEmpty else { return nil }
            let (kept, labels) = CounterSource.labels(
                of: byDirection ? directionKeys : keys, names: names, byDirection: byDirection)
            return CounterGroup(
                series: members.map(\.series), labels: labels,
                values: CounterSource.increments(members.map(\.source), byDirection ? counted : service, keys: kept))
        }
        var levels: [(labels: [(String, String)], value: Double)] = []
        var targets: [(labels: [(String, String)], value: Double)] = []
        for (key, metrics) in today?.stats ?? [:] {
            guard let name = names[key.queueID] else { continue }
            let labels = [("queue_id", key.queueID), ("queue_name", name), ("media_type", key.mediaType)]
            if let ratio = metrics["oServiceLevel"]?.ratio { levels.append((labels, ratio)) }
            if let target = metrics["oServiceTarget"]?.target ?? metrics["oServiceLevel"]?.target {
                targets.append((labels, target))
            }
        }
        let selectedIDs = Set(names.keys)
        // Every queue with traffic today has its `other` wrap-up series from the first poll, as the counters above.
        let wrapupOthers =
            wrapup == nil
            ? []
            : Set(keys.map(\.queueID)).compactMap { id in
                names[id].map { WrapupCodeCounter.otherSeries(queueID: id, queueName: $0) }
            }
        let windowEndSeconds = Double(max(start, end)) / 1000
        let asked = today != nil
        return {
            [counters, groups, serviceLevel, serviceTarget, registry, levels, targets, selection, wrapup, wrapupOthers]
            in
            // Increments are for selected queues only, so only a change of the selection can leave series to drop.
            let selectionChanged = selection.changed(to: selectedIDs)
            for group in groups { CounterSeriesSet.add(group.series, sharing: group.labels, values: group.values) }
            if selectionChanged {
                for counter in counters { counter.series.keep(label: "queue_id", in: selectedIDs) }
            }
            wrapup?.publish(
                (wrapupIncrements ?? []) + wrapupOthers, selected: selectionChanged ? selectedIDs : nil)
            // Between asks, today's service level keeps the series last published.
            if asked {
                serviceLevel.publish(levels)
                serviceTarget.publish(targets)
            }
            // Registered at the first poll: a 0 (1970) before it would read as an enormous lag.
            registry.gauge(
                "genesys_queue_performance_window_end_timestamp_seconds",
                "End of the last conversation-aggregates window added to the genesys_queue_*_total counters."
            ).set(windowEndSeconds)
        }
    }

    /// Today's service level as Genesys computes it (since midnight in the zone), or nil while the last answer is
    /// younger than the interval and was asked on the same day for the same queues. Only when it was asked is kept,
    /// not the answer: its series stay as published (a cached answer per org was about 20 MiB for 200 orgs).
    private func todaysServiceLevelIfDue(
        _ queues: [RoutingQueue], now: Int64, _ context: CollectorContext
    ) async throws(APIError) -> ConversationAggregates? {
        let midnight = timeZone.startOfDay(containing: now / 1000) * 1000
        let queueIDs = queues.map(\.id)
        if lastToday.recent(
            at: context.clock.now, within: serviceLevelInterval,
            { $0.midnight == midnight && $0.queueIDs == queueIDs }) != nil
        {
            return nil
        }
        var today = ConversationAggregates()
        if now > midnight {
            for batch in QueueQuery.batches(queues) {
                let body = Self.query(
                    for: batch, from: midnight, to: now, metrics: ["oServiceLevel", "oServiceTarget"])
                try await add(body, to: &today, context)
            }
        }
        lastToday.store(ServiceLevelAsked(midnight: midnight, queueIDs: queueIDs), at: context.clock.now)
        return today
    }

    private func add(
        _ body: [UInt8], to aggregates: inout ConversationAggregates, _ context: CollectorContext
    ) async throws(APIError) {
        let result = try await context.api.post(.conversationAggregates, body: body)
        try context.api.decode(.conversationAggregates, result) { json throws(JSONDecodingError) in
            try aggregates.add(json)
        }
    }

    static func query(
        for queues: some Collection<RoutingQueue>, from start: Int64, to end: Int64, metrics: [String],
        byDirection: Bool = false
    ) -> [UInt8] {
        let interval = "\(UTCTimestamp.format(unixMillis: start))/\(UTCTimestamp.format(unixMillis: end))"
        let groupBy = byDirection ? "[\"queueId\",\"mediaType\",\"direction\"]" : "[\"queueId\",\"mediaType\"]"
        let body =
            "{\"interval\":\"\(interval)\",\"groupBy\":\(groupBy),\"filter\":\(QueueQuery.filter(queues)),"
            + "\"metrics\":[\(metrics.map { "\"\($0)\"" }.joined(separator: ","))]}"
        return Array(body.utf8)
    }

    /// The end of the last whole minute that has settled: `lag` before now, rounded down to the minute.
    static func settledEnd(now: Int64, lagMillis: Int64) -> Int64 { (now - lagMillis) / 60_000 * 60_000 }

    /// Whole Unix milliseconds of the exporter's own clock, kept inside what `UTCTimestamp` formats.
    static func millis(_ unixSeconds: Double) -> Int64 {
        let clamped = UntrustedNumber.clamped(
            unixSeconds * 1000, to: Double(UTCTimestamp.range.lowerBound)...Double(UTCTimestamp.range.upperBound))
        return Int64(clamped.rounded(.down))
    }
}

/// When today's service level was last asked: the day and the queues it was asked for.
struct ServiceLevelAsked: Sendable {
    let midnight: Int64
    let queueIDs: [String]
}

/// Where the next aggregates window starts: the end of the last one counted.
final class WindowCursor: Sendable {
    private let next = Mutex<Int64?>(nil)

    /// The start of the next window; the first call sets it to `begin` (a restart does not replay history).
    func start(orBegin begin: Int64) -> Int64 {
        next.withLock { next in
            if next == nil { next = begin }
            return next!
        }
    }

    func advance(to end: Int64) { next.withLock { $0 = max($0 ?? end, end) } }
}

extension Endpoint {
    package static let conversationAggregates = Endpoint(
        method: "POST", template: "/api/v2/analytics/conversations/aggregates/query",
        permission: "analytics:conversationAggregate:view",
        answer: AnswerDecoder(fuzzName: "aggregates") { json throws(JSONDecodingError) in
            // Both readings of an aggregates answer: by media type (and direction), and by wrap-up code.
            var aggregates = ConversationAggregates()
            try aggregates.add(json)
            var handled = WrapupHandled()
            try handled.add(json)
            return AggregatesReadings(stats: aggregates.stats, wrapup: handled)
        })
}

/// What `conversationAggregates`' decoder compares: every way the collector reads the answer.
struct AggregatesReadings: Equatable, Sendable {
    let stats: [ConversationAggregates.Key: [String: ConversationAggregates.Stats]]
    let wrapup: WrapupHandled
}

/// Counters whose series share label sets, with each counter's increments for them (`values[n]` for `series[n]`).
private struct CounterGroup: Sendable {
    let series: [CounterSeriesSet]
    let labels: [[(String, String)]]
    let values: [[Double]]
}
