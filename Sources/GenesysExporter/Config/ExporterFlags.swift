/// The command line as the library takes it: each flag's raw value (nil when not given). The executable parses it
/// (ArgumentParser); `ConfigurationResolver` applies the environment, the .env file, the defaults and the checks.
package struct ExporterFlags: Sendable, Equatable {
    package var listenAddresses: [String]
    /// `--web.systemd-socket`: serve the sockets systemd passes instead of `listenAddresses`.
    package var systemdSocket: Bool
    /// `--web.openmetrics-created-samples`: `_created` samples in OpenMetrics answers.
    package var openMetricsCreatedSamples: Bool
    package var webConfigFile: String?
    package var webMaxRequests: Int?
    package var webMaxConnections: Int?
    package var webIdleTimeout: String?
    package var telemetryPath: String?
    package var region: String?
    package var apiURL: String?
    package var loginURL: String?
    package var clientID: String?
    package var clientSecretFile: String?
    package var clientSecret: String?
    package var grant: String?
    package var pollInterval: String?
    package var httpTimeout: String?
    package var caFile: String?
    package var refreshMargin: String?
    package var tokenCacheFile: String?
    package var logLevel: String?
    package var logFormat: String?
    package var envFile: String?
    /// `--config.file`: the orgs file of multi-org mode.
    package var configFile: String?
    /// `--config.shard I/N`.
    package var configShard: String?
    package var demo: Bool
    package var demoQueues: Int
    package var collectorArguments: [String]

    package init(
        listenAddresses: [String] = [],
        systemdSocket: Bool = false,
        openMetricsCreatedSamples: Bool = false,
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
        configFile: String? = nil,
        configShard: String? = nil,
        demo: Bool = false,
        demoQueues: Int = 40,
        collectorArguments: [String] = []
    ) {
        self.listenAddresses = listenAddresses
        self.systemdSocket = systemdSocket
        self.openMetricsCreatedSamples = openMetricsCreatedSamples
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
        self.configFile = configFile
        self.configShard = configShard
        self.demo = demo
        self.demoQueues = demoQueues
        self.collectorArguments = collectorArguments
    }
}
