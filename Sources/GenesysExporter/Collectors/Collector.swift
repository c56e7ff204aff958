import Logging
import Prometheus

/// What every collector gets to work with: the org's API client and its metric registry.
public struct CollectorContext: Sendable {
    public let api: GenesysAPIClient
    public let registry: PrometheusCollectorRegistry
    public let grant: OAuthGrant
    public let queueSelection: QueueSelection
    public let queueDirectory: QueueDirectory
    public let logger: Logger
}

/// The metric updates of one successful poll. The monitor applies them while no scrape is rendering,
/// so a scrape never sees half a poll.
public typealias Publication = @Sendable () -> Void

/// One source of metrics, polled on the exporter's schedule (node_exporter's collector shape).
/// `collect` fetches and returns its metric updates only when it succeeds, so a failure leaves the
/// last values in place.
public protocol Collector: Sendable {
    /// The name used in `--no-collector.<name>` and the `collector` label.
    var name: String { get }
    /// The endpoints it calls, for `check` and for pre-created failure counters.
    var endpoints: [Endpoint] { get }
    func collect(_ context: CollectorContext) async throws(APIError) -> Publication
}

/// Every collector the exporter knows, in polling order; each is on by default.
public enum CollectorRegistry {
    public static let names = ["identity", "queues", "observations"]

    public static func make(
        _ name: String, registry: PrometheusCollectorRegistry, grant: OAuthGrant
    ) -> (any Collector)? {
        switch name {
        case "identity": IdentityCollector(registry: registry, grant: grant)
        case "queues": QueueCollector(registry: registry)
        case "observations": ObservationCollector(registry: registry)
        default: nil
        }
    }
}
