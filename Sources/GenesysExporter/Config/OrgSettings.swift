/// The settings of one monitored org.
public struct OrgSettings: Sendable {
    public var token: TokenProviderConfiguration
    public var pollInterval: Duration
    public var enabledCollectors: Set<String>
    public var queueSelection: QueueSelection
    public var connectTimeout: Duration
    public var requestTimeout: Duration
    public var extraCAFile: String?

    public init(
        token: TokenProviderConfiguration, pollInterval: Duration = .seconds(60), enabledCollectors: Set<String> = Set(CollectorRegistry.names),
        queueSelection: QueueSelection, connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(30), extraCAFile: String? = nil
    ) {
        self.token = token
        self.pollInterval = pollInterval
        self.enabledCollectors = enabledCollectors
        self.queueSelection = queueSelection
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.extraCAFile = extraCAFile
    }
}
