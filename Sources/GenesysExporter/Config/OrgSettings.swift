/// The settings of one monitored org.
public struct OrgSettings: Sendable {
    public var token: TokenProviderConfiguration
    public var pollInterval: Duration
    public var enabledCollectors: Set<String>
    public var queueSelection: QueueSelection
    public var connectTimeout: Duration
    public var requestTimeout: Duration
    public var extraCAFile: String?
    /// Largest API or token response accepted; a larger one fails the request.
    public var maxResponseBytes: Int
    /// Longest wait between a failing collector's polls (consecutive failures and Retry-After alike).
    public var failureBackoffCap: Duration

    public init(
        token: TokenProviderConfiguration, pollInterval: Duration = .seconds(60),
        enabledCollectors: Set<String> = CollectorRegistry.enabledByDefault,
        queueSelection: QueueSelection, connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(30),
        extraCAFile: String? = nil,
        maxResponseBytes: Int = 64 << 20, failureBackoffCap: Duration = .seconds(300)
    ) {
        self.token = token
        self.pollInterval = pollInterval
        self.enabledCollectors = enabledCollectors
        self.queueSelection = queueSelection
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.extraCAFile = extraCAFile
        self.maxResponseBytes = maxResponseBytes
        self.failureBackoffCap = failureBackoffCap
    }
}
