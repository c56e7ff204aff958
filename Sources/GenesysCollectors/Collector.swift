import GenesysAPI
import GenesysAuth
import GenesysBase
import GenesysNotifications
import GenesysTelemetry
import Logging
import Prometheus

/// What every collector gets to work with: the org's API client and its metric registry.
package struct CollectorContext: Sendable {
    package let api: GenesysAPIClient
    package let registry: PrometheusCollectorRegistry
    package let grant: OAuthGrant
    package let queueSelection: QueueSelection
    package let queueDirectory: QueueDirectory
    package let logger: Logger
    /// Wall time for query intervals (aggregates windows, today's service level).
    package let clock: any ExporterClock
    /// `--http.ca-file`: trusted for the notification sockets as for the API.
    package let extraCAFile: String?
    /// The org's notification stream, when a collector streams (nil: every collector polls).
    package let notifications: NotificationHub?

    package init(
        api: GenesysAPIClient, registry: PrometheusCollectorRegistry, grant: OAuthGrant, queueSelection: QueueSelection,
        queueDirectory: QueueDirectory, logger: Logger, clock: any ExporterClock = SystemClock(),
        extraCAFile: String? = nil, notifications: NotificationHub? = nil
    ) {
        self.clock = clock
        self.extraCAFile = extraCAFile
        self.notifications = notifications
        self.api = api
        self.registry = registry
        self.grant = grant
        self.queueSelection = queueSelection
        self.queueDirectory = queueDirectory
        self.logger = logger
    }
}

/// The metric updates of one successful poll. The monitor applies them while no scrape is rendering,
/// so a scrape never sees half a poll.
package typealias Publication = @Sendable () -> Void

/// One of a collector's own `--collector.<name>.<option>` flags.
package struct CollectorOption: Sendable, Equatable {
    package let name: String
    package let valueName: String
    package let help: String
}

/// What `check` learns from one request that a later one needs (a queue to observe), and the collectors' option
/// values it may need (the status page's URL).
package struct CheckProbe: Sendable {
    package var firstQueueID: String?
    /// The channel `check` created, for the subscription requests after it.
    package var notificationChannelID: String?
    /// `--collector.<name>.<option>` values by collector name, as the org's settings hold them.
    package var collectorOptions: [String: [String: String]]
    /// The CA file the API client trusts, for the notification socket.
    package var extraCAFile: String?

    package init(collectorOptions: [String: [String: String]] = [:], extraCAFile: String? = nil) {
        self.collectorOptions = collectorOptions
        self.extraCAFile = extraCAFile
    }
}

/// What a collector is, declared in its own file: the exporter derives its flags (`--[no-]collector.<name>`, its
/// `--collector.<name>.<option>` flags), `check`'s requests, the endpoint label set, readiness and the `collector`
/// label from this. `CollectorRegistry.all` lists the types.
package protocol CollectorDefinition: Sendable {
    /// The name in flags and in the `collector` label.
    static var name: String { get }
    /// One line for `--help`.
    static var help: String { get }
    static var enabledByDefault: Bool { get }
    static var options: [CollectorOption] { get }
    /// The endpoints it calls with tokens of `grant`, in order.
    static func endpoints(grant: OAuthGrant) -> [Endpoint]
    /// `check`'s request to one of its endpoints: nil when there is nothing to ask (no queue to observe, a channel checked above).
    static func check(
        _ endpoint: Endpoint, api: GenesysAPIClient, probe: inout CheckProbe
    ) async throws(APIError)
        -> APIResult?
    /// Refuses option values it cannot use, naming the flag (called while the configuration is read).
    static func validate(options: [String: String]) throws(ConfigurationError)
    /// The collector for one org, with option values `validate` accepted.
    static func make(store: MetricStore, grant: OAuthGrant, options: [String: String]) -> Self
}

extension CollectorDefinition {
    package static var enabledByDefault: Bool { true }
    package static var options: [CollectorOption] { [] }
    package static func validate(options: [String: String]) throws(ConfigurationError) {}
}

/// One source of metrics, polled on the exporter's schedule (node_exporter's collector shape).
/// `collect` fetches and returns its metric updates only when it succeeds, so a failure leaves the
/// last values in place.
package protocol Collector: CollectorDefinition {
    /// The endpoints this instance calls (for pre-created failure counters).
    var endpoints: [Endpoint] { get }
    /// Its own interval between polls; nil for the exporter's `--poll.interval`.
    var pollInterval: Duration? { get }
    /// False for a collector that calls another host (the status page): its runs leave `genesys_up` alone, and the
    /// org's rate-limit headroom does not slow it.
    var callsGenesysAPI: Bool { get }
    func collect(_ context: CollectorContext) async throws(APIError) -> Publication
}

extension Collector {
    package var name: String { Self.name }
    package var pollInterval: Duration? { nil }
    package var callsGenesysAPI: Bool { true }
}

/// A collector that can also follow Genesys' notification channels between its polls (observations, agents): when
/// it streams, the monitor opens the org's one notification stream (`CollectorContext.notifications`) and runs
/// `stream` beside the poll loop until the org stops; the stream's updates go through `publish`, so a scrape never
/// sees half of one.
package protocol StreamingCollector: Collector {
    /// The channels this collector's `max-channels` allows the org's stream; nil when it polls (the org streams with
    /// the largest value of the collectors that stream).
    var notificationChannels: Int? { get }
    func stream(_ context: CollectorContext, publish: @escaping @Sendable (@escaping Publication) -> Void) async
}

/// Every collector the exporter knows, in polling order. Adding one is its file (a `Collector`) and a line here.
package enum CollectorRegistry {
    package static let all: [any Collector.Type] = [
        IdentityCollector.self,
        QueueCollector.self,
        ObservationCollector.self,
        QueuePerformanceCollector.self,
        EstimatedWaitCollector.self,
        FlowsCollector.self,
        DataActionsCollector.self,
        AgentsCollector.self,
        TelephonyCollector.self,
        APIUsageCollector.self,
        StatusPageCollector.self,
    ]

    package static var names: [String] { all.map { $0.name } }

    package static var enabledByDefault: Set<String> { Set(all.filter { $0.enabledByDefault }.map { $0.name }) }

    package static func named(_ name: String) -> (any Collector.Type)? { all.first { $0.name == name } }

    /// Every endpoint any collector may call, with any grant: the `endpoint` label's whole set.
    package static var endpoints: [Endpoint] {
        var seen: [Endpoint] = []
        for collector in all {
            for grant in OAuthGrant.allCases {
                for endpoint in collector.endpoints(grant: grant) where !seen.contains(endpoint) {
                    seen.append(endpoint)
                }
            }
        }
        return seen
    }

    /// The enabled collectors for one org, in polling order, with their option values by collector name.
    package static func make(
        _ names: Set<String>, store: MetricStore, grant: OAuthGrant,
        options: [String: [String: String]] = [:]
    ) -> [any Collector] {
        all.filter { names.contains($0.name) }.map {
            $0.make(store: store, grant: grant, options: options[$0.name] ?? [:])
        }
    }
}
