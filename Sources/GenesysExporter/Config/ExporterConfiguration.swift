import FoundationEssentials
import GenesysAuth
import GenesysBase
import GenesysCollectors
import GenesysHTTP
import GenesysServer
import GenesysTelemetry
import Glibc
import Logging

/// Everything the exporter runs with, resolved from flags, the environment and the .env file
/// (in that order of precedence) and validated.
package struct ExporterConfiguration: Sendable {
    package var listenHost: String
    package var listenPort: Int
    /// Every `--web.listen-address` (the first is `listenHost`/`listenPort`).
    package var listenAddresses: [ListenAddress]
    /// `--web.systemd-socket`: the descriptors systemd passed, served instead of `listenAddresses` (checked as
    /// sockets by `SystemdSocketActivation.adopt` when the server starts).
    package var systemdSockets: [CInt] = []
    /// `--web.openmetrics-created-samples`: OpenMetrics answers carry `_created` for counters and histograms.
    package var openMetricsCreatedSamples = false
    /// `--web.config.file`, read and validated when the server starts.
    package var webConfigFile: String?
    package var serverLimits: ServerLimits
    package var telemetryPath: String
    package var logLevel: Logger.Level
    package var logFormat: LogFormat
    package var demo: Bool
    /// `--config.file`: the orgs come from it, labelled, and `loadOrgs()` reads it again.
    package var configFile: String? = nil
    /// `--config.shard`: only the file's orgs of this shard run here.
    package var shard: OrgShard? = nil
    /// The monitored orgs: the file's (of `shard`) as read at start, or without a file the one org of the flags
    /// (`ConfiguredOrg.single`); empty in demo mode until the simulator is up (see `demoOrg`).
    package var orgs: [ConfiguredOrg] = []
    /// The environment (and .env file) that `client_secret_env` reads; never printed.
    var secretEnvironment = SecretEnvironment(values: [:])
    /// Things to warn about once logging is up (e.g. a secret passed on the command line).
    package var warnings: [String]
    /// Settings shared by every org, kept to build the demo org and the file's orgs.
    private(set) var tuning: Tuning

    /// The global flags' settings for an org; an org of the `--config.file` overrides some of them.
    package struct Tuning: Sendable {
        var pollInterval: Duration
        var requestTimeout: Duration
        var refreshMargin: Duration
        var cacheFile: String?
        var caFile: String?
        var enabledCollectors: Set<String>
        var collectorOptions: [String: [String: String]]
        var queueSelection: QueueSelection
    }

    /// The same configuration with no token cache file, for the org and the demo org alike.
    package func withoutTokenCache() -> ExporterConfiguration {
        var copy = self
        copy.tuning.cacheFile = nil
        copy.usesTokenCache = false
        copy.orgs = copy.orgs.map(\.withoutTokenCache)
        return copy
    }

    /// False after `withoutTokenCache()`: `loadOrgs()` then drops the file's `token_cache_file`s too.
    var usesTokenCache = true

    /// Reads the `--config.file` anew (for a reload) and returns the orgs of `shard`, resolved like at start;
    /// the error is one line naming the file, org and key. Empty in single-org mode.
    package func loadOrgs() throws(ConfigurationError) -> [ConfiguredOrg] {
        try loadOrgs(
            readFile: { try RegularFile.text($0) },
            fileExists: { FileManager.default.fileExists(atPath: $0) })
    }

    /// `loadOrgs()` with the file access given (tests).
    package func loadOrgs(
        readFile: (String) throws -> String, fileExists: (String) -> Bool
    ) throws(ConfigurationError) -> [ConfiguredOrg] {
        guard let configFile else { return [] }
        let orgs = try OrgsFile.load(
            path: configFile, tuning: tuning, environment: secretEnvironment.values, readFile: readFile,
            fileExists: fileExists, shard: shard)
        return usesTokenCache ? orgs : orgs.map(\.withoutTokenCache)
    }

    /// The org settings for the built-in simulator at `apiBaseURL`. The simulator serves the status page too: the
    /// demo's status page collector reads it there, for the simulator's `Americas (US East)` group (the region of a
    /// loopback API URL is not known), unless the flags say otherwise.
    package func demoOrg(
        apiBaseURL: String, clientID: String, clientSecret: String
    ) throws(ConfigurationError) -> OrgSettings {
        var settings = try Self.org(
            hosts: GenesysHosts(apiBaseURL: apiBaseURL, loginBaseURL: apiBaseURL), clientID: clientID,
            secret: Secret(clientSecret), grant: .clientCredentials, refreshToken: nil, tuning: tuning)
        settings.collectorOptions["status_page", default: [:]].merge(
            ["url": apiBaseURL, "components": "Americas (US East)"]
        ) { given, _ in given }
        return settings
    }

    static func org(
        hosts: GenesysHosts, clientID: String, secret: Secret, grant: OAuthGrant, refreshToken: Secret?, tuning: Tuning
    ) -> OrgSettings {
        OrgSettings(
            token: TokenProviderConfiguration(
                hosts: hosts, clientID: clientID, clientSecret: secret, grant: grant, refreshToken: refreshToken,
                refreshMargin: tuning.refreshMargin, cacheFile: tuning.cacheFile),
            pollInterval: tuning.pollInterval, enabledCollectors: tuning.enabledCollectors,
            collectorOptions: tuning.collectorOptions, queueSelection: tuning.queueSelection,
            requestTimeout: tuning.requestTimeout, extraCAFile: tuning.caFile)
    }
}

/// Turns flags, environment and .env file into an `ExporterConfiguration`, naming the setting at fault.
package enum ConfigurationResolver {
    package static func resolve(
        _ options: ExporterFlags, environment: [String: String] = ProcessInfo.processInfo.environment,
        fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) },
        readFile: (String) throws -> String = { try RegularFile.text($0) }
    ) throws(ConfigurationError) -> ExporterConfiguration {
        let envFilePath = options.envFile ?? ".env"
        var fileValues: [String: String] = [:]
        if options.envFile != nil || fileExists(envFilePath) {
            let text: String
            do { text = try readFile(envFilePath) } catch {
                throw .unreadableFile(path: envFilePath, setting: "--env-file", reason: FileErrorText.reason(error))
            }
            fileValues = try EnvFile.parse(text, path: envFilePath)
        }
        func setting(_ flag: String?, _ variable: String) -> String? {
            flag ?? environment[variable].flatMap { $0.isEmpty ? nil : $0 }
                ?? fileValues[variable].flatMap { $0.isEmpty ? nil : $0 }
        }

        var warnings: [String] = []
        try validateProxyVariables(environment)
        try multiOrgConflicts(options)
        let listenAddresses = try (options.listenAddresses.isEmpty ? [":9985"] : options.listenAddresses).map {
            address throws(ConfigurationError) in
            let (host, port) = try listenAddress(address)
            return ListenAddress(host: host, port: port)
        }
        let (host, port) = (listenAddresses[0].host, listenAddresses[0].port)
        var systemdSockets: [CInt] = []
        if options.systemdSocket {
            guard options.listenAddresses.isEmpty else {
                throw .invalid(
                    setting: "--web.systemd-socket",
                    reason: "cannot be combined with --web.listen-address: the .socket unit's ListenStream= lines "
                        + "are the addresses")
            }
            systemdSockets = try SystemdSocketActivation.descriptors(environment: environment, pid: getpid())
        }
        let limits = try serverLimits(options)
        if let webConfigFile = options.webConfigFile, !fileExists(webConfigFile) {
            throw .unreadableFile(path: webConfigFile, setting: "--web.config.file", reason: "no such file")
        }
        let telemetryPath = options.telemetryPath ?? "/metrics"
        guard telemetryPath.hasPrefix("/"), telemetryPath.count > 1,
            !["/-/healthy", "/-/ready"].contains(telemetryPath)
        else {
            throw .invalid(
                setting: "--web.telemetry-path",
                reason: "'\(telemetryPath)' must start with / and not be / or a health path")
        }
        guard let level = LineLogHandler.level(named: options.logLevel ?? "info") else {
            throw .invalid(
                setting: "--log.level", reason: "'\(options.logLevel ?? "")' is not one of debug, info, warn, error")
        }
        guard let format = LogFormat(rawValue: options.logFormat ?? "logfmt") else {
            throw .invalid(setting: "--log.format", reason: "'\(options.logFormat ?? "")' is not one of logfmt, json")
        }
        let pollInterval = try duration(
            options.pollInterval, default: .seconds(60), flag: "--poll.interval", atLeast: .seconds(1))
        let requestTimeout = try duration(
            options.httpTimeout, default: .seconds(30), flag: "--http.timeout", atLeast: .milliseconds(100))
        let refreshMargin = try duration(
            options.refreshMargin, default: .seconds(300), flag: "--token.refresh-margin", atLeast: .seconds(1))
        if let cacheFile = options.tokenCacheFile, cacheFile.isEmpty || cacheFile.hasSuffix("/") {
            throw .invalid(setting: "--token.cache-file", reason: "'\(cacheFile)' must name a file")
        }
        if let caFile = options.caFile, !fileExists(caFile) {
            throw .unreadableFile(path: caFile, setting: "--http.ca-file", reason: "no such file")
        }
        var collectorArguments = options.collectorArguments
        if options.demo && !collectorArguments.contains("--collector.disable-defaults") {
            // The demo shows every collector; an explicit --no-collector.<name> still wins (the last word does).
            let offByDefault = CollectorRegistry.all.filter { !$0.enabledByDefault }
            collectorArguments = offByDefault.map { "--collector.\($0.name)" } + collectorArguments
        }
        let collectors = try CollectorFlags.parse(collectorArguments)
        for collector in CollectorRegistry.all {
            try collector.validate(options: collectors.options[collector.name] ?? [:])
        }
        let tuning = ExporterConfiguration.Tuning(
            pollInterval: pollInterval, requestTimeout: requestTimeout, refreshMargin: refreshMargin,
            cacheFile: options.tokenCacheFile,
            caFile: options.caFile, enabledCollectors: collectors.enabled, collectorOptions: collectors.options,
            queueSelection: try QueueCollector.selection(collectors.options[QueueCollector.name] ?? [:]))

        var orgs: [ConfiguredOrg] = []
        let shard = try options.configShard.map { text throws(ConfigurationError) in try OrgShard(parsing: text) }
        // As for the single org's settings: a non-empty environment variable wins over the .env file.
        let secretEnvironment = SecretEnvironment(
            values: fileValues.merging(environment.filter { !$0.value.isEmpty }) { _, fromEnvironment in
                fromEnvironment
            })
        if let configFile = options.configFile {
            orgs = try OrgsFile.load(
                path: configFile, tuning: tuning, environment: secretEnvironment.values, readFile: readFile,
                fileExists: fileExists, shard: shard)
        } else if !options.demo {
            let hosts = try hosts(
                region: setting(options.region, "GENESYS_REGION"), apiURL: setting(options.apiURL, "GENESYS_API_HOST"),
                loginURL: setting(options.loginURL, "GENESYS_LOGIN_HOST"))
            guard let clientID = setting(options.clientID, "GENESYS_CLIENT_ID") else {
                throw .missing(
                    setting: "--genesys.client-id / GENESYS_CLIENT_ID",
                    hint: "the id of a Genesys Cloud OAuth client (Admin > Integrations > OAuth)")
            }
            let secret: String
            if let path = setting(options.clientSecretFile, "GENESYS_CLIENT_SECRET_FILE") {
                // White space and line breaks trimmed, a trailing "\r\n" too.
                do { secret = try readFile(path).trimmingWhitespace() } catch {
                    throw .unreadableFile(
                        path: path, setting: "--genesys.client-secret-file", reason: FileErrorText.reason(error))
                }
                guard !secret.isEmpty else {
                    throw .invalid(setting: "--genesys.client-secret-file", reason: "\(path) is empty")
                }
            } else if let fromFlag = options.clientSecret {
                secret = fromFlag
                warnings.append(
                    "the client secret was passed with --genesys.client-secret and is visible in the process list; use --genesys.client-secret-file or GENESYS_CLIENT_SECRET instead"
                )
            } else if let fromEnvironment = setting(nil, "GENESYS_CLIENT_SECRET") {
                secret = fromEnvironment
            } else {
                throw .missing(
                    setting: "--genesys.client-secret-file / GENESYS_CLIENT_SECRET", hint: "the OAuth client's secret")
            }
            let refreshToken = setting(nil, "GENESYS_REFRESH_TOKEN").map(Secret.init)
            let grantName = options.grant ?? (refreshToken != nil ? "refresh_token" : "client_credentials")
            guard let grant = OAuthGrant(rawValue: grantName) else {
                throw .invalid(
                    setting: "--genesys.grant", reason: "'\(grantName)' is not one of client_credentials, refresh_token"
                )
            }
            if grant == .refreshToken && options.tokenCacheFile == nil {
                // Genesys rotates the refresh token at every use: kept only in memory, it is lost at the next restart.
                throw .missing(
                    setting: "--token.cache-file",
                    hint:
                        "the refresh_token grant needs a cache file to keep the rotated refresh token across restarts (e.g. /var/lib/genesys-exporter/token.json)"
                )
            }
            if grant == .refreshToken && refreshToken == nil && !fileExists(options.tokenCacheFile ?? "") {
                throw .missing(
                    setting: "GENESYS_REFRESH_TOKEN",
                    hint:
                        "the refresh_token grant needs the refresh token from the authorization-code flow (or a token cache file holding one)"
                )
            }
            orgs = [
                .single(
                    ExporterConfiguration.org(
                        hosts: hosts, clientID: clientID, secret: Secret(secret), grant: grant,
                        refreshToken: refreshToken, tuning: tuning))
            ]
        }
        var configuration = ExporterConfiguration(
            listenHost: host, listenPort: port, listenAddresses: listenAddresses, webConfigFile: options.webConfigFile,
            serverLimits: limits, telemetryPath: telemetryPath, logLevel: level, logFormat: format,
            demo: options.demo, warnings: warnings, tuning: tuning)
        configuration.configFile = options.configFile
        configuration.systemdSockets = systemdSockets
        configuration.openMetricsCreatedSamples = options.openMetricsCreatedSamples
        configuration.shard = shard
        configuration.orgs = orgs
        configuration.secretEnvironment = secretEnvironment
        return configuration
    }

    /// With `--config.file` every org's credentials come from the file: the single org's flags would be ignored,
    /// so they are refused rather than silently dropped; `--config.shard` needs the file.
    static func multiOrgConflicts(_ options: ExporterFlags) throws(ConfigurationError) {
        guard options.configFile != nil else {
            if options.configShard != nil {
                throw .invalid(setting: "--config.shard", reason: "needs --config.file (it splits the file's orgs)")
            }
            return
        }
        if options.demo {
            throw .invalid(
                setting: "--demo", reason: "cannot be combined with --config.file; the demo runs one simulated org")
        }
        let perOrg: [(value: String?, flag: String, key: String)] = [
            (options.region, "--genesys.region", "region"),
            (options.apiURL, "--genesys.api-url", "api_url"),
            (options.loginURL, "--genesys.login-url", "login_url"),
            (options.clientID, "--genesys.client-id", "client_id"),
            (options.clientSecretFile, "--genesys.client-secret-file", "client_secret_file"),
            (options.clientSecret, "--genesys.client-secret", "client_secret_file"),
            (options.grant, "--genesys.grant", "grant"),
            (options.tokenCacheFile, "--token.cache-file", "token_cache_file"),
        ]
        for setting in perOrg where setting.value != nil {
            throw .invalid(
                setting: setting.flag,
                reason: "cannot be combined with --config.file; set \(setting.key) per org in the file")
        }
    }

    static func hosts(region: String?, apiURL: String?, loginURL: String?) throws(ConfigurationError) -> GenesysHosts {
        if let apiURL { return try GenesysHosts(apiBaseURL: apiURL, loginBaseURL: loginURL) }
        guard let region else {
            throw .missing(
                setting: "--genesys.region / GENESYS_REGION",
                hint:
                    "your org's region, e.g. mypurecloud.com, mypurecloud.ie, usw2.pure.cloud (or set GENESYS_API_HOST)"
            )
        }
        guard let known = GenesysRegion.named(region) else {
            throw .invalid(
                setting: "--genesys.region / GENESYS_REGION",
                reason:
                    "unknown region '\(SafeExcerpt.of(region, limit: 80))'; known: \(GenesysRegion.all.map(\.domain).joined(separator: ", "))"
            )
        }
        if let loginURL {
            return try GenesysHosts(apiBaseURL: known.apiBaseURL, loginBaseURL: loginURL)
        }
        return GenesysHosts(region: known)
    }

    /// The proxy variables libcurl reads: parsed like every other URL, so a typo or embedded credentials
    /// stop the start with one line instead of surfacing as odd network failures.
    package static func validateProxyVariables(_ environment: [String: String]) throws(ConfigurationError) {
        for variable in ["https_proxy", "HTTPS_PROXY", "http_proxy", "all_proxy", "ALL_PROXY"] {
            guard let value = environment[variable], !value.isEmpty else { continue }
            // libcurl reads the variable as it is: spaces around it would pass our trimmed parse yet fail there.
            guard value.trimming(" \t\r\n") == value else {
                throw .invalid(setting: variable, reason: "has spaces or tabs around the URL; remove them")
            }
            if case .failure(let rejection) = ParsedURL.parse(
                ParsedURL.hasScheme(value) ? value : "http://" + value,
                schemes: ["http", "https", "socks5", "socks5h"])
            {
                throw .invalid(
                    setting: variable, reason: "'\(value.contains("@") ? "<redacted>" : value)' \(rejection.reason)")
            }
        }
    }

    static func listenAddress(_ address: String) throws(ConfigurationError) -> (String, Int) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw .invalid(
                setting: "--web.listen-address", reason: "'\(address)' is not host:port (e.g. :9985 or 127.0.0.1:9985)")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    static func serverLimits(_ options: ExporterFlags) throws(ConfigurationError) -> ServerLimits {
        var limits = ServerLimits()
        if let maxRequests = options.webMaxRequests {
            guard (1...100_000).contains(maxRequests) else {
                throw .invalid(setting: "--web.max-requests", reason: "\(maxRequests) is not between 1 and 100000")
            }
            limits.maxRequests = maxRequests
        }
        if let maxConnections = options.webMaxConnections {
            guard (1...1_000_000).contains(maxConnections) else {
                throw .invalid(
                    setting: "--web.max-connections", reason: "\(maxConnections) is not between 1 and 1000000")
            }
            limits.maxConnections = maxConnections
        }
        limits.idleTimeout = try duration(
            options.webIdleTimeout, default: .seconds(60), flag: "--web.idle-timeout", atLeast: .milliseconds(100))
        guard limits.idleTimeout <= .seconds(86_400) else {
            throw .invalid(setting: "--web.idle-timeout", reason: "longer than 24h")
        }
        return limits
    }

    static func duration(
        _ text: String?, default fallback: Duration, flag: String, atLeast minimum: Duration
    ) throws(ConfigurationError) -> Duration {
        guard let text else { return fallback }
        guard let value = DurationParser.parse(text) else {
            throw .invalid(setting: flag, reason: "'\(text)' is not a duration like 30s, 5m or 1h")
        }
        guard value >= minimum else {
            throw .invalid(setting: flag, reason: "\(text) is shorter than the minimum \(minimum)")
        }
        return value
    }
}
