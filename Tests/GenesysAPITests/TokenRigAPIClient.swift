import GenesysAPI
import GenesysAuthTestSupport
import GenesysSimulator
import GenesysTelemetry
import Logging
import Synchronization

extension TokenRig {
    /// An API client on this rig's token provider and libcurl client, against `sim`.
    func apiClient(_ sim: GenesysSimulator, logger: Logger = quietLogger) -> GenesysAPIClient {
        GenesysAPIClient(
            apiBaseURL: sim.baseURL, tokens: provider, http: http, metrics: APIMetricsPerStore.metrics(for: store),
            logger: logger, timeout: .seconds(30))
    }
}

/// The `genesys_api_*` families of a rig, registered once in its store (the rig itself is an Auth-layer harness).
private enum APIMetricsPerStore {
    static let endpoints: [Endpoint] = [
        .tokensMe, .usersMe, .organizationsMe, .routingQueues, .queueObservations, .conversationAggregates,
        .estimatedWaitTime,
    ]
    private static let created = Mutex<[ObjectIdentifier: APIMetrics]>([:])

    static func metrics(for store: MetricStore) -> APIMetrics {
        created.withLock { created in
            if let metrics = created[ObjectIdentifier(store)] { return metrics }
            let metrics = APIMetrics(store: store, endpoints: endpoints)
            created[ObjectIdentifier(store)] = metrics
            return metrics
        }
    }
}
