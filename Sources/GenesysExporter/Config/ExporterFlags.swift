/// The command line as the library takes it: each flag's raw value (nil when not given). The executable parses it
/// (ArgumentParser); `ConfigurationResolver` applies the environment, the .env file, the defaults and the checks.
public struct ExporterFlags: Sendable, Equatable {
    public var listenAddresses: [String]
    public var webConfigFile: String?
    public var webMaxRequests: Int?
    public var webMaxConnections: Int?
    public var webIdleTimeout: String?
    public var telemetryPath: String?
    public var region: String?
    public var apiURL: String?
    public var loginURL: String?
    public var clientID: String?
    public var clientSecretFile: String?
    public var clientSecret: String?
    public var grant: String?
    public var pollInterval: String?
    public var httpTimeout: String?
    public var caFile: String?
    public var refreshMargin: String?
    public var tokenCacheFile: String?
    public var logLevel: String?
    public var logFormat: String?
    public var envFile: String?
    public var demo: Bool
    public var demoQueues: Int
    public var collectorArguments: [String]

    public init(
        listenAddresses: [String] = [],
        webConfigFile: String? = nil,
        webMaxRequests: Int? = nil,
        webMaxConnections: Int? = nil,
        webIdleTimeout: String? = nil,
        telemetryPath: String? = nil,
        region: String? = nil,
        apiURL: String? = nil,
        loginURL: String? = nil,
        clientID: String? = nil,
        clientSecretFile: String? = nil,
        clientSecret: String? = nil,
        grant: String? = nil,
        pollInterval: String? = nil,
        httpTimeout: String? = nil,
        caFile: String? = nil,
        refreshMargin: String? = nil,
        tokenCacheFile: String? = nil,
        logLevel: String? = nil,
        logFormat: String? = nil,
        envFile: String? = nil,
        demo: Bool = false,
        demoQueues: Int = 40,
        collectorArguments: [String] = []
    ) {
        self.listenAddresses = listenAddresses
        self.webConfigFile = webConfigFile
        self.webMaxRequests = webMaxRequests
        self.webMaxConnections = webMaxConnections
        self.webIdleTimeout = webIdleTimeout
        self.telemetryPath = telemetryPath
        self.region = region
        self.apiURL = apiURL
        self.loginURL = loginURL
        self.clientID = clientID
        self.clientSecretFile = clientSecretFile
        self.clientSecret = clientSecret
        self.grant = grant
        self.pollInterval = pollInterval
        self.httpTimeout = httpTimeout
        self.caFile = caFile
        self.refreshMargin = refreshMargin
        self.tokenCacheFile = tokenCacheFile
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.envFile = envFile
        self.demo = demo
        self.demoQueues = demoQueues
        self.collectorArguments = collectorArguments
    }
}
