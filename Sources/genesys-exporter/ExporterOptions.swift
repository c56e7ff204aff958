import ArgumentParser
import GenesysExporter

/// Command-line flags in the Prometheus exporter style, parsed by ArgumentParser. Every flag is optional here: the
/// library's resolver applies the environment, the .env file and the defaults to `flags`.
struct ExporterOptions: ParsableArguments, Sendable {

    @Option(
        name: .customLong("web.listen-address"),
        help: "Address to serve metrics on (default :9985); repeat for several.")
    var listenAddresses: [String] = []

    @Flag(
        name: .customLong("web.systemd-socket"),
        help: "Serve the sockets systemd passes (socket activation) instead of --web.listen-address.")
    var systemdSocket = false

    @Flag(
        name: .customLong("web.openmetrics-created-samples"),
        help: ArgumentHelp(
            "Add a _created sample to every counter and histogram in OpenMetrics answers.",
            discussion:
                "Off by default, as in client_golang: Prometheus stores each as one more series unless it runs with "
                + "--enable-feature=created-timestamp-zero-ingestion (3.x)."))
    var openMetricsCreatedSamples = false

    @Option(
        name: .customLong("web.config.file"),
        help: "exporter-toolkit web config: TLS, basic auth, headers (re-read when it changes).")
    var webConfigFile: String?

    @Option(
        name: .customLong("web.max-requests"), help: "Concurrent requests answered at most; more get 503 (default 40).")
    var webMaxRequests: Int?

    @Option(
        name: .customLong("web.max-connections"),
        help: "Open connections at most; more are closed at once (default 512).")
    var webMaxConnections: Int?

    @Option(name: .customLong("web.idle-timeout"), help: "Close connections idle this long (default 60s).")
    var webIdleTimeout: String?

    @Option(name: .customLong("web.telemetry-path"), help: "Path under which to expose metrics (default /metrics).")
    var telemetryPath: String?

    @Option(
        name: .customLong("genesys.region"),
        help: "Genesys Cloud region, e.g. mypurecloud.ie or eu-west-1 (env GENESYS_REGION).")
    var region: String?

    @Option(
        name: .customLong("genesys.api-url"),
        help: "API base URL, e.g. https://api.mypurecloud.com (env GENESYS_API_HOST).")
    var apiURL: String?

    @Option(
        name: .customLong("genesys.login-url"),
        help: "Login base URL; derived from the API URL when unset (env GENESYS_LOGIN_HOST).")
    var loginURL: String?

    @Option(name: .customLong("genesys.client-id"), help: "OAuth client id (env GENESYS_CLIENT_ID).")
    var clientID: String?

    @Option(
        name: .customLong("genesys.client-secret-file"),
        help: "File holding the OAuth client secret (env GENESYS_CLIENT_SECRET_FILE; or GENESYS_CLIENT_SECRET).")
    var clientSecretFile: String?

    @Option(
        name: .customLong("genesys.client-secret"),
        help: "OAuth client secret. Visible in the process list: prefer the file or GENESYS_CLIENT_SECRET.")
    var clientSecret: String?

    @Option(
        name: .customLong("genesys.grant"),
        help: "client_credentials or refresh_token (default: refresh_token when GENESYS_REFRESH_TOKEN is set).")
    var grant: String?

    @Option(name: .customLong("poll.interval"), help: "How often collectors poll the API (default 60s).")
    var pollInterval: String?

    @Option(name: .customLong("http.timeout"), help: "Timeout of one API request (default 30s).")
    var httpTimeout: String?

    @Option(
        name: .customLong("http.ca-file"),
        help: "Extra CA bundle (PEM) to trust for the Genesys hosts, in addition to the system's.")
    var caFile: String?

    @Option(
        name: .customLong("token.refresh-margin"),
        help: "Renew the token when less than this is left (default 5m; at most 20% of its lifetime).")
    var refreshMargin: String?

    @Option(name: .customLong("token.cache-file"), help: "Keep the token across restarts in this file (mode 0600).")
    var tokenCacheFile: String?

    @Option(name: .customLong("log.level"), help: "debug, info, warn or error (default info).")
    var logLevel: String?

    @Option(name: .customLong("log.format"), help: "logfmt or json (default logfmt).")
    var logFormat: String?

    @Option(name: .customLong("env-file"), help: "Read KEY=VALUE settings from this file (default .env when present).")
    var envFile: String?

    @Option(
        name: .customLong("config.file"),
        help: "Monitor the orgs of this YAML file (multi-org mode; re-read on SIGHUP or POST /-/reload).")
    var configFile: String?

    @Option(
        name: .customLong("config.shard"),
        help: "I/N: run only the file's orgs whose name hashes to I of N (one of N instances sharing the file).")
    var configShard: String?

    @Flag(name: .customLong("demo"), help: "Run against the built-in Genesys Cloud simulator; no credentials needed.")
    var demo = false

    @Option(name: .customLong("demo.queues"), help: "Queues in the demo simulator (default 40; for benchmarks).")
    var demoQueues: Int = 40

    /// Everything ArgumentParser does not know: the collector flags, which `CollectorFlags` reads from the
    /// registry (and which refuses anything else).
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var collectorArguments: [String] = []

    /// The parsed values as the library takes them.
    var flags: ExporterFlags {
        ExporterFlags(
            listenAddresses: listenAddresses,
            systemdSocket: systemdSocket,
            openMetricsCreatedSamples: openMetricsCreatedSamples,
            webConfigFile: webConfigFile,
            webMaxRequests: webMaxRequests,
            webMaxConnections: webMaxConnections,
            webIdleTimeout: webIdleTimeout,
            telemetryPath: telemetryPath,
            region: region,
            apiURL: apiURL,
            loginURL: loginURL,
            clientID: clientID,
            clientSecretFile: clientSecretFile,
            clientSecret: clientSecret,
            grant: grant,
            pollInterval: pollInterval,
            httpTimeout: httpTimeout,
            caFile: caFile,
            refreshMargin: refreshMargin,
            tokenCacheFile: tokenCacheFile,
            logLevel: logLevel,
            logFormat: logFormat,
            envFile: envFile,
            configFile: configFile,
            configShard: configShard,
            demo: demo,
            demoQueues: demoQueues,
            collectorArguments: collectorArguments)
    }
}
