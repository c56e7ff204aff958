import FoundationEssentials
import GenesysAPI
import GenesysAuth
import GenesysBase
import GenesysJSON
import GenesysTelemetry
import Prometheus

/// Architect flows from the flow aggregates, in queue_performance's windows: consecutive, non-overlapping
/// whole-minute windows ending `lag` before now, each added to counters, so `increase()` over them is exact and a
/// restart starts from its own start. Names and types come from the flow listing (selected by name and capped like
/// queues, listed at most every `listing-interval`). The first poll looks a day back for the flows with traffic and
/// creates their series at 0.
struct FlowsCollector: Collector {
    static let name = "flows"
    static let help = "Architect flows: entries, outcomes, failures, disconnects, exits."
    static let options = [
        CollectorOption(
            name: "lag", valueName: "duration",
            help: "Windows end this long before now, so late data has settled (2m)."),
        CollectorOption(
            name: "name-filter", valueName: "regex", help: "Only flows whose whole name matches get per-flow series."),
        CollectorOption(
            name: "max", valueName: "n", help: "At most this many flows get per-flow series (default 500)."),
        CollectorOption(
            name: "listing-interval", valueName: "duration",
            help: "List flows at most this often; 0s: every poll (default 5m)."),
    ]
    static let defaultMax = 500
    static let defaultListingInterval: Duration = .seconds(300)
    /// Flows per listing page: the SDK states no maximum, and Genesys' own Terraform provider lists flows 500 a page
    /// (MyPureCloud/terraform-provider-genesyscloud, `getAllArchitectFlowsFn`). A tenth of the requests of 100.
    static let listingPageSize = 500
    static let windowMetrics = ["nFlow", "nFlowOutcome", "nFlowOutcomeFailed", "tFlowDisconnect", "tFlowExit"]
    /// The SDK's `Flow.type` values (purecloudplatformclientv2 269); the label is the value in lower case, any other
    /// value `unknown`.
    static let knownTypes: Set<String> = [
        "BOT", "BUSINESSPROCESS", "COMMONMODULE", "DIGITALBOT", "EMAILSEND", "INBOUNDCALL", "INBOUNDCHAT",
        "INBOUNDEMAIL", "INBOUNDSHORTMESSAGE", "INQUEUECALL", "INQUEUEEMAIL", "INQUEUESHORTMESSAGE", "OUTBOUNDCALL",
        "SECURECALL", "SPEECH", "SURVEYINVITE", "VOICE", "VOICEMAIL", "VOICESURVEY", "WORKFLOW", "WORKITEM",
    ]
    static let counterSources = [
        WindowCounter(
            name: "genesys_flow_entries_total", help: "Conversations that entered the flow (nFlow).", metric: "nFlow",
            field: .count),
        WindowCounter(
            name: "genesys_flow_outcomes_total", help: "Flow outcomes reached (nFlowOutcome).",
            metric: "nFlowOutcome", field: .count),
        WindowCounter(
            name: "genesys_flow_outcomes_failed_total",
            help: "Flow outcomes that failed, a subset of outcomes (nFlowOutcomeFailed).",
            metric: "nFlowOutcomeFailed", field: .count),
        WindowCounter(
            name: "genesys_flow_disconnects_total",
            help: "Conversations that disconnected in the flow (tFlowDisconnect count).", metric: "tFlowDisconnect",
            field: .count),
        WindowCounter(
            name: "genesys_flow_disconnect_seconds_total",
            help: "Time in the flow of conversations that disconnected in it, summed (tFlowDisconnect sum).",
            metric: "tFlowDisconnect", field: .sumSeconds),
        WindowCounter(
            name: "genesys_flow_exits_total",
            help: "Conversations that left the flow (to a queue, a transfer, another flow) (tFlowExit count).",
            metric: "tFlowExit", field: .count),
        WindowCounter(
            name: "genesys_flow_exit_seconds_total",
            help: "Time in the flow of conversations that left it, summed (tFlowExit sum).", metric: "tFlowExit",
            field: .sumSeconds),
    ]

    struct Settings: Equatable {
        var lag = QueuePerformanceCollector.defaultLag
        var selection = NamedSelection(nameFilter: nil, max: FlowsCollector.defaultMax)
        var listingInterval = FlowsCollector.defaultListingInterval
    }

    let endpoints: [Endpoint] = [.flows, .flowAggregates]
    private let settings: Settings
    private let cursor = WindowCursor()
    private let discovered = OnceFlag()
    private let lastListing = RecentResult<[ArchitectFlow]>()
    private let selectionChange = ChangeDetector<Set<String>>()
    private let counters: [(source: WindowCounter, series: CounterSeriesSet)]
    private let registry: PrometheusCollectorRegistry

    static func endpoints(grant: OAuthGrant) -> [Endpoint] { [.flows, .flowAggregates] }

    /// The listing asks for one flow; the aggregates for the last settled minute of that flow (of every flow when
    /// the org has none).
    static func check(
        _ endpoint: Endpoint, api: GenesysAPIClient, probe: inout CheckProbe
    ) async throws(APIError)
        -> APIResult?
    {
        let listing = try await api.get(.flows, query: [("pageSize", "1"), ("pageNumber", "1")])
        guard endpoint == .flowAggregates else { return listing }
        let ids = (try? listing.json.elements("entities").first?.string("id")).flatMap { $0 }.map { [$0] } ?? []
        return try await api.post(
            endpoint,
            body: AnalyticsWindows.lastSettledMinuteBody(
                groupBy: ["flowId"], dimension: "flowId", ids: ids, metrics: windowMetrics))
    }

    static func validate(options: [String: String]) throws(ConfigurationError) {
        _ = try settings(options)
    }

    static func settings(_ options: [String: String]) throws(ConfigurationError) -> Settings {
        var settings = Settings()
        settings.lag =
            try CollectorOptionValue.duration(options, "lag", of: name, least: .zero, most: .seconds(3600))
            ?? settings.lag
        settings.selection = try NamedSelection.options(options, of: name, defaultMax: defaultMax)
        settings.listingInterval =
            try CollectorOptionValue.duration(options, "listing-interval", of: name, least: .zero)
            ?? settings.listingInterval
        return settings
    }

    static func make(store: MetricStore, grant: OAuthGrant, options: [String: String]) -> Self {
        Self(store: store, settings: (try? settings(options)) ?? Settings())
    }

    init(store: MetricStore, settings: Settings) {
        self.settings = settings
        counters = Self.counterSources.map { ($0, CounterSeriesSet(store: store, name: $0.name, help: $0.help)) }
        registry = store.registry
    }

    /// The flow's `type` as a label: the SDK's value in lower case, `unknown` for any other (or none).
    static func typeLabel(_ type: String?) -> String {
        guard let type, knownTypes.contains(type) else { return "unknown" }
        return type.lowercased()
    }

    func collect(_ context: CollectorContext) async throws(APIError) -> Publication {
        let flows = try await selectedFlows(context)
        let ids = flows.map(\.id)
        let lagMillis = settings.lag.wholeMilliseconds
        let settled = QueuePerformanceCollector.settledEnd(
            now: QueuePerformanceCollector.millis(context.clock.unixNow), lagMillis: lagMillis)
        let start = cursor.start(orBegin: settled)
        let end = min(settled, start + QueuePerformanceCollector.longestWindowMillis)
        let counted = try await AnalyticsWindows.query(
            .flowAggregates, context, from: start, to: end, groupBy: ["flowId"], ids: ids,
            metrics: Self.windowMetrics)
        // The first poll counts nothing; at the first successful poll the flows with traffic in the last day get their series at 0 from it, so
        // rate() and increase() count their first window too.
        var keys = Set(counted.stats.keys.compactMap { $0.first ?? nil })
        if !discovered.isSet {
            let recent = try await AnalyticsWindows.query(
                .flowAggregates, context, from: settled - AnalyticsWindows.discoveryMillis, to: settled,
                groupBy: ["flowId"], ids: ids, metrics: ["nFlow"])
            keys.formUnion(recent.stats.keys.compactMap { $0.first ?? nil })
        }
        discovered.set()
        cursor.advance(to: max(start, end))
        let byID = Dictionary(flows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let increments = Self.counterSources.map { source in
            keys.compactMap { id -> (labels: [(String, String)], value: Double)? in
                guard let flow = byID[id] else { return nil }
                let labels = [("flow_id", id), ("flow_name", flow.name), ("flow_type", Self.typeLabel(flow.type))]
                return (labels, source.value(counted.stats[[id]]))
            }
        }
        let selectedIDs = Set(ids)
        let windowEndSeconds = Double(max(start, end)) / 1000
        return { [counters, registry, selectionChange] in
            let selectionChanged = selectionChange.changed(to: selectedIDs)
            for (index, counter) in counters.enumerated() {
                counter.series.add(increments[index])
                if selectionChanged { counter.series.keep(label: "flow_id", in: selectedIDs) }
            }
            registry.gauge(
                "genesys_flows_window_end_timestamp_seconds",
                "End of the last flow-aggregates window added to the genesys_flow_*_total counters."
            ).set(windowEndSeconds)
        }
    }

    /// The last listing's selection while it is younger than the listing interval, else a new listing.
    private func selectedFlows(_ context: CollectorContext) async throws(APIError) -> [ArchitectFlow] {
        if let recent = lastListing.recent(at: context.clock.now, within: settings.listingInterval) { return recent }
        let all = try await EntityListing.all(.flows, context, pageSize: Self.listingPageSize) {
            json throws(JSONDecodingError) in
            try ArchitectFlow(json)
        }
        let (selected, dropped) = settings.selection.select(all)
        if dropped > 0 {
            context.logger.notice(
                "flow series capped",
                metadata: ["selected": "\(selected.count)", "dropped": "\(dropped)", "flag": "--collector.flows.max"])
        }
        lastListing.store(selected, at: context.clock.now)
        return selected
    }
}

/// A flow as `GET /api/v2/flows` lists it (the fields the collector uses of the SDK's `Flow`); `type` stays raw.
struct ArchitectFlow: Sendable, Equatable, Identified {
    let id: String
    let name: String
    let type: String?

    init(_ json: JSONCursor) throws(JSONDecodingError) {
        id = try json.string("id")
        name = try json.optionalString("name") ?? ""
        type = try json.optionalString("type")
    }
}

/// One windowed counter and the aggregate statistic it adds up: a metric's count, or its sum in seconds.
struct WindowCounter: Sendable {
    enum Field: Sendable { case count, sumSeconds }

    let name: String
    let help: String
    let metric: String
    let field: Field

    /// This counter's increment from one group's statistics (0 where the window had nothing).
    func value(_ stats: [String: GroupedAggregates.Stats]?) -> Double {
        let stats = stats?[metric]
        return field == .count ? Double(stats?.count ?? 0) : (stats?.sumMillis ?? 0) / 1000
    }
}

extension Endpoint {
    package static let flows = Endpoint(
        method: "GET", template: "/api/v2/flows", permission: "architect:flow:view",
        answer: AnswerDecoder(fuzzName: "flow-page") { json throws(JSONDecodingError) in
            try ListingPage(json) { element throws(JSONDecodingError) in try ArchitectFlow(element) }
        })

    package static let flowAggregates = Endpoint(
        method: "POST", template: "/api/v2/analytics/flows/aggregates/query",
        permission: "analytics:flowAggregate:view",
        answer: AnswerDecoder(fuzzName: "flow-aggregates") { json throws(JSONDecodingError) in
            var aggregates = GroupedAggregates(dimensions: ["flowId"])
            try aggregates.add(json)
            return aggregates
        })
}
