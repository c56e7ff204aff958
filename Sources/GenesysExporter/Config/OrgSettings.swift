import GenesysAuth
import GenesysCollectors
/// The settings of one monitored org.
import GenesysHTTP

package struct OrgSettings: Sendable {
    package var token: TokenProviderConfiguration
    package var pollInterval: Duration
    package var enabledCollectors: Set<String>
    /// `--collector.<name>.<option>` values by collector name, accepted by the collector's `validate`.
    package var collectorOptions: [String: [String: String]]
    package var queueSelection: QueueSelection
    package var connectTimeout: Duration
    package var requestTimeout: Duration
    package var extraCAFile: String?
    /// Largest API or token response accepted; a larger one fails the request.
    package var maxResponseBytes: Int
    /// Longest wait between a failing collector's polls (consecutive failures and Retry-After alike).
    package var failureBackoffCap: Duration

    package init(
        token: TokenProviderConfiguration, pollInterval: Duration = .seconds(60),
        enabledCollectors: Set<String> = CollectorRegistry.enabledByDefault,
        collectorOptions: [String: [String: String]] = [:],
        queueSelection: QueueSelection, connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(30),
        extraCAFile: String? = nil,
        maxResponseBytes: Int = 64 << 20, failureBackoffCap: Duration = .seconds(300)
    ) {
        self.token = token
        self.pollInterval = pollInterval
        self.enabledCollectors = enabledCollectors
        self.collectorOptions = collectorOptions
        self.queueSelection = queueSelection
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.extraCAFile = extraCAFile
        self.maxResponseBytes = maxResponseBytes
        self.failureBackoffCap = failureBackoffCap
    }
}
