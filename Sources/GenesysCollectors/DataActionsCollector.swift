import FoundationEssentials
import GenesysAPI
import GenesysAuth
import GenesysBase
import GenesysJSON
import GenesysTelemetry
import Prometheus
import Synchronization

/// Data actions from the action aggregates (`tTotalExecution` grouped by action and error type), in
/// queue_performance's windows: executions, their seconds and failures by error type as counters whose
/// `increase()` is exact. Names come from the action listing (selected by name and capped like queues). The SDK
/// lists no `errorType` values, so the label takes the first `mostErrorTypes` well-formed values seen and folds any
/// other into `other`.
struct DataActionsCollector: Collector {
    static let name = "data_actions"
    static let help = "Data actions: executions, execution seconds, errors by error type."
    static let options = [
        CollectorOption(
            name: "lag", valueName: "duration",
            help: "Windows end this long before now, so late data has settled (2m)."),
        CollectorOption(
            name: "name-filter", valueName: "regex",
            help: "Only actions whose whole name matches get per-action series."),
        CollectorOption(
            name: "max", valueName: "n", help: "At most this many actions get per-action series (default 500)."),
        CollectorOption(
            name: "listing-interval", valueName: "duration",
            help: "List actions at most this often; 0s: every poll (default 5m)."),
    ]
    static let defaultMax = 500
    static let defaultListingInterval: Duration = .seconds(300)
    static let groupBy = ["actionId", "errorType"]
    static let metrics = ["tTotalExecution"]

    struct Settings: Equatable {
        var lag = QueuePerformanceCollector.defaultLag
        var selection = NamedSelection(nameFilter: nil, max: DataActionsCollector.defaultMax)
        var listingInterval = DataActionsCollector.defaultListingInterval
    }

    let endpoints: [Endpoint] = [.dataActions, .actionAggregates]
    private let settings: Settings
    private let cursor = WindowCursor()
    private let discovered = OnceFlag()
    private let errorTypes = ErrorTypeLabels()
    private let lastListing = RecentResult<[DataAction]>()
    /// 500 actions a page while Genesys takes it (the SDK states no maximum; every client found asks for 100, which
    /// at 5,000 actions costs 1.8 times jansson's parse against 1.2 at 500: benchmarks/README.md), else 100.
    private let pageSize = PageSizeChoice(preferred: 500)
    private let selectionChange = ChangeDetector<Set<String>>()
    private let executions: CounterSeriesSet
    private let executionSeconds: CounterSeriesSet
    private let errors: CounterSeriesSet
    private let registry: PrometheusCollectorRegistry

    static func endpoints(grant: OAuthGrant) -> [Endpoint] { [.dataActions, .actionAggregates] }

    /// The listing asks for one action; the aggregates for the last settled minute of that action (of every action
    /// when the org has none).
    static func check(
        _ endpoint: Endpoint, api: GenesysAPIClient, probe: inout CheckProbe
    ) async throws(APIError)
        -> APIResult?
    {
        let listing = try await api.get(.dataActions, query: [("pageSize", "1"), ("pageNumber", "1")])
        guard endpoint == .actionAggregates else { return listing }
        let ids = (try? listing.json.elements("entities").first?.string("id")).flatMap { $0 }.map { [$0] } ?? []
        return try await api.post(
            endpoint,
            body: AnalyticsWindows.lastSettledMinuteBody(
                groupBy: groupBy, dimension: "actionId", ids: ids, metrics: metrics))
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
        executions = CounterSeriesSet(
            store: store, name: "genesys_data_action_executions_total",
            help: "Executions of the data action, successful or not (tTotalExecution count).")
        executionSeconds = CounterSeriesSet(
            store: store, name: "genesys_data_action_execution_seconds_total",
            help: "Time the data action's executions took, summed (tTotalExecution sum).")
        errors = CounterSeriesSet(
            store: store, name: "genesys_data_action_errors_total",
            help: "Failed executions by error type (tTotalExecution count where errorType is set; at most "
                + "\(ErrorTypeLabels.mostErrorTypes) error types, the rest as other).")
        registry = store.registry
    }

    func collect(_ context: CollectorContext) async throws(APIError) -> Publication {
        let actions = try await selectedActions(context)
        let ids = actions.map(\.id)
        let settled = QueuePerformanceCollector.settledEnd(
            now: QueuePerformanceCollector.millis(context.clock.unixNow), lagMillis: settings.lag.wholeMilliseconds)
        let start = cursor.start(orBegin: settled)
        let end = min(settled, start + QueuePerformanceCollector.longestWindowMillis)
        let counted = try await AnalyticsWindows.query(
            .actionAggregates, context, from: start, to: end, groupBy: Self.groupBy, ids: ids, metrics: Self.metrics)
        // At the first successful poll the actions (and error types) with traffic in the last day get their series
        // at 0, so rate() and increase() count their first window too.
        var keys = Set(counted.stats.keys)
        if !discovered.isSet {
            let recent = try await AnalyticsWindows.query(
                .actionAggregates, context, from: settled - AnalyticsWindows.discoveryMillis, to: settled,
                groupBy: Self.groupBy, ids: ids, metrics: Self.metrics)
            keys.formUnion(recent.stats.keys)
        }
        discovered.set()
        cursor.advance(to: max(start, end))
        let series = Self.increments(counted, keys: keys, names: actions, errorTypes: errorTypes)
        let selectedIDs = Set(ids)
        let windowEndSeconds = Double(max(start, end)) / 1000
        return { [executions, executionSeconds, errors, registry, selectionChange] in
            executions.add(series.executions)
            executionSeconds.add(series.seconds)
            errors.add(series.errors)
            if selectionChange.changed(to: selectedIDs) {
                for family in [executions, executionSeconds, errors] {
                    family.keep(label: "action_id", in: selectedIDs)
                }
            }
            registry.gauge(
                "genesys_data_actions_window_end_timestamp_seconds",
                "End of the last action-aggregates window added to the genesys_data_action_*_total counters."
            ).set(windowEndSeconds)
        }
    }

    typealias Series = [(labels: [(String, String)], value: Double)]

    /// One window's increments for `keys` (0 where the window had nothing), selected actions only: executions and
    /// seconds summed over the action's groups, errors per error-type label (values folded into `other` summed).
    static func increments(
        _ counted: GroupedAggregates, keys: Set<[String?]>, names actions: [DataAction], errorTypes: ErrorTypeLabels
    ) -> (executions: Series, seconds: Series, errors: Series) {
        let names = Dictionary(actions.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        var totals: [String: (count: Double, seconds: Double)] = [:]
        var failures: [[String]: Double] = [:]
        for key in keys {
            guard let id = key.first ?? nil, names[id] != nil else { continue }
            let stats = counted.stats[key]?["tTotalExecution"]
            let count = Double(stats?.count ?? 0)
            totals[id, default: (0, 0)].count += count
            totals[id, default: (0, 0)].seconds += (stats?.sumMillis ?? 0) / 1000
            if key.count > 1, let errorType = key[1] {
                failures[[id, errorTypes.label(errorType)], default: 0] += count
            }
        }
        var result: (executions: Series, seconds: Series, errors: Series) = ([], [], [])
        for (id, total) in totals {
            let labels = [("action_id", id), ("action_name", names[id] ?? "")]
            result.executions.append((labels, total.count))
            result.seconds.append((labels, total.seconds))
        }
        for (key, count) in failures {
            result.errors.append(
                ([("action_id", key[0]), ("action_name", names[key[0]] ?? ""), ("error_type", key[1])], count))
        }
        return result
    }

    /// The last listing's selection while it is younger than the listing interval, else a new listing.
    private func selectedActions(_ context: CollectorContext) async throws(APIError) -> [DataAction] {
        if let recent = lastListing.recent(at: context.clock.now, within: settings.listingInterval) { return recent }
        let all = try await EntityListing.all(.dataActions, context, pageSize: pageSize) {
            json throws(JSONDecodingError) in try DataAction(json)
        }
        let (selected, dropped) = settings.selection.select(all)
        if dropped > 0 {
            context.logger.notice(
                "data action series capped",
                metadata: [
                    "selected": "\(selected.count)", "dropped": "\(dropped)", "flag": "--collector.data_actions.max",
                ])
        }
        lastListing.store(selected, at: context.clock.now)
        return selected
    }
}

/// A data action as `GET /api/v2/integrations/actions` lists it (the fields the collector uses of the SDK's
/// `Action`).
struct DataAction: Sendable, Equatable, Identified {
    let id: String
    let name: String

    init(_ json: JSONCursor) throws(JSONDecodingError) {
        id = try json.string("id")
        name = try json.optionalString("name") ?? ""
    }
}

/// The `error_type` label: the SDK lists no values, so the first `mostErrorTypes` well-formed values seen (1 to 64
/// letters, digits, `_`, `-`, `.` or `:`) keep their own label for the life of the process, and every other value
/// (one more, or malformed) is `other`. A hostile server can add at most `mostErrorTypes` series per action.
final class ErrorTypeLabels: Sendable {
    static let mostErrorTypes = 20
    static let other = "other"
    private let admitted = Mutex<Set<String>>([])

    func label(_ value: String) -> String {
        guard Self.wellFormed(value), value != Self.other else { return Self.other }
        return admitted.withLock { admitted in
            if admitted.contains(value) { return value }
            guard admitted.count < Self.mostErrorTypes else { return Self.other }
            admitted.insert(value)
            return value
        }
    }

    static func wellFormed(_ value: String) -> Bool {
        let utf8 = value.utf8
        return (1...64).contains(utf8.count)
            && utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."),
                    UInt8(ascii: ":"):
                    true
                default: false
                }
            }
    }
}

extension Endpoint {
    package static let dataActions = Endpoint(
        method: "GET", template: "/api/v2/integrations/actions", permission: "integrations:action:view",
        answer: AnswerDecoder(fuzzName: "action-page") { json throws(JSONDecodingError) in
            try ListingPage(json) { element throws(JSONDecodingError) in try DataAction(element) }
        })

    package static let actionAggregates = Endpoint(
        method: "POST", template: "/api/v2/analytics/actions/aggregates/query",
        permission: "analytics:actionAggregate:view",
        answer: AnswerDecoder(fuzzName: "action-aggregates") { json throws(JSONDecodingError) in
            var aggregates = GroupedAggregates(dimensions: DataActionsCollector.groupBy)
            try aggregates.add(json)
            return aggregates
        })
}
