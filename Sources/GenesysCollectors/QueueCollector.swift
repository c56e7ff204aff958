import GenesysAPI
import GenesysAuth
import GenesysBase
import GenesysTelemetry
import Prometheus

/// Routing queues: the exact count, and member counts for the selected queues.
package struct QueueCollector: Collector {
    package static let name = "queues"
    package static let help = "Routing queues: their count, and members per selected queue."
    package static let options = [
        CollectorOption(
            name: "name-filter", valueName: "regex",
            help: "Only queues whose whole name matches get per-queue series."),
        CollectorOption(
            name: "max", valueName: "n", help: "At most this many queues get per-queue series (default 500)."),
        CollectorOption(
            name: "listing-interval", valueName: "duration",
            help: "List queues at most this often; 0s: every poll (default 5m)."),
    ]
    /// Queues, their names and member counts change at the pace of configuration, not of the poll: the listing (a
    /// request per 100 queues) is repeated at most this often, and the analytics collectors use its selection.
    static let defaultListingInterval: Duration = .seconds(300)
    package let endpoints: [Endpoint] = [.routingQueues]
    private let registry: PrometheusCollectorRegistry
    private let members: GaugeSeriesSet
    private let joinedMembers: GaugeSeriesSet
    private let info: GaugeSeriesSet
    private let listingInterval: Duration
    private let lastListing = RecentResult<(selected: [RoutingQueue], total: Int)>()

    package static func make(
        store: MetricStore, grant: OAuthGrant, options: [String: String]
    ) -> Self {
        Self(store: store, listingInterval: (try? listingInterval(options)) ?? defaultListingInterval)
    }

    package static func endpoints(grant: OAuthGrant) -> [Endpoint] { [.routingQueues] }

    /// One queue is enough to show the permission works; its id lets `check` try the observations query.
    package static func check(
        _ endpoint: Endpoint, api: GenesysAPIClient, probe: inout CheckProbe
    ) async throws(APIError)
        -> APIResult?
    {
        let result = try await api.get(endpoint, query: [("pageSize", "1"), ("pageNumber", "1")])
        probe.firstQueueID = try? result.json.elements("entities").first?.string("id")
        return result
    }

    package static func validate(options: [String: String]) throws(ConfigurationError) {
        _ = try selection(options)
        _ = try listingInterval(options)
    }

    static func listingInterval(_ options: [String: String]) throws(ConfigurationError) -> Duration {
        try CollectorOptionValue.duration(options, "listing-interval", of: name, least: .zero) ?? defaultListingInterval
    }

    /// The queue selection its options describe (`--collector.queues.name-filter`, `--collector.queues.max`).
    package static func selection(_ options: [String: String]) throws(ConfigurationError) -> QueueSelection {
        var max = 500
        if let text = options["max"] {
            guard let value = Int(text), value >= 0 else {
                throw .invalid(setting: "--collector.queues.max", reason: "'\(text)' is not a whole number >= 0")
            }
            max = value
        }
        return try QueueSelection(nameFilter: options["name-filter"], maxSeries: max)
    }

    init(store: MetricStore, listingInterval: Duration = defaultListingInterval) {
        self.listingInterval = listingInterval
        self.registry = store.registry
        members = GaugeSeriesSet(
            store: store, name: "genesys_queue_members", help: "Members of the routing queue (memberCount).")
        joinedMembers = GaugeSeriesSet(
            store: store, name: "genesys_queue_joined_members",
            help: "Members who have joined the routing queue (joinedMemberCount).")
        info = GaugeSeriesSet(
            store: store, name: "genesys_queue_info",
            help: "Always 1: the selected queue's division, to join with per-queue and per-division series.")
    }

    package func collect(_ context: CollectorContext) async throws(APIError) -> Publication {
        let (selected, total) = try await selectedQueues(context)
        return { [registry, members, joinedMembers, info] in
            registry.gauge(
                "genesys_routing_queues", "Routing queues in the org (exact, whatever the name filter and cap)."
            ).set(total)
            members.publish(selected.map { (labels: $0.labels, value: Double($0.memberCount)) })
            joinedMembers.publish(selected.map { (labels: $0.labels, value: Double($0.joinedMemberCount)) })
            info.publish(selected.map { (labels: $0.labels + $0.divisionLabels, value: 1) })
            context.queueDirectory.update(selected)
        }
    }

    /// The last listing's selection while it is younger than the listing interval, else a new listing.
    private func selectedQueues(
        _ context: CollectorContext
    ) async throws(APIError) -> (
        selected: [RoutingQueue], total: Double
    ) {
        if !context.queueDirectory.takeRelistingRequest(),
            let recent = lastListing.recent(at: context.clock.now, within: listingInterval)
        {
            return (recent.selected, Double(recent.total))
        }
        let listing = try await context.api.listRoutingQueues()
        let (selected, dropped) = context.queueSelection.select(listing.queues)
        if dropped > 0 {
            context.logger.notice(
                "queue series capped",
                metadata: [
                    "selected": "\(selected.count)", "dropped": "\(dropped)", "flag": "--collector.queues.max",
                ])
        }
        lastListing.store((selected, listing.total), at: context.clock.now)
        return (selected, Double(listing.total))
    }
}

extension RoutingQueue {
    var labels: [(String, String)] { [("queue_id", id), ("queue_name", name)] }
    /// `division_id` and `division_name` as the agents collector writes them (`unknown` when the listing has none).
    var divisionLabels: [(String, String)] {
        [
            ("division_id", divisionID ?? "unknown"),
            ("division_name", divisionID == nil ? "unknown" : divisionName ?? ""),
        ]
    }
}
