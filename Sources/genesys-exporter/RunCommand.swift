import ArgumentParser
import Dispatch
import FoundationEssentials
import GenesysExporter
import GenesysSimulator
import Glibc
import Logging
import ServiceLifecycle

/// The default command: poll Genesys Cloud and serve /metrics until SIGTERM.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the exporter (the default).", discussion: CollectorFlags.help)

    @OptionGroup var options: ExporterOptions

    func run() async throws {
        let configuration = try ConfigurationResolver.resolve(options.flags)
        let logger = bootstrapLogging(configuration)
        // A broken web config is a configuration error (exit 2), found before anything is served.
        let web =
            try configuration.webConfigFile.map { path throws(ConfigurationError) in try WebConfigSource(path: path) }
            ?? .none()
        if !configuration.systemdSockets.isEmpty {
            try SystemdSocketActivation.adopt(configuration.systemdSockets)
            // As go-systemd does: the sockets were for this process, not for anything it might start.
            for variable in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(variable) }
        }
        let (orgs, simulator) = try await monitoredOrgs(configuration, demoQueues: options.demoQueues, logger: logger)
        let fromFile = configuration.configFile != nil
        var loadOrgs: (@Sendable () throws(ConfigurationError) -> [ConfiguredOrg])?
        if fromFile { loadOrgs = { () throws(ConfigurationError) in try configuration.loadOrgs() } }
        let exporter = Exporter(
            orgs: orgs, loadOrgs: loadOrgs,
            telemetryPath: configuration.telemetryPath, listenAddresses: configuration.listenAddresses,
            systemdSockets: configuration.systemdSockets, limits: configuration.serverLimits, web: web,
            openMetricsCreatedSamples: configuration.openMetricsCreatedSamples, logger: logger)
        let port = try await start(exporter.server, configuration, logger: logger)
        let bound =
            configuration.systemdSockets.isEmpty
            ? zip(configuration.listenAddresses, exporter.server.boundPorts).map {
                ListenAddress(host: $0.host, port: $1).description
            } : exporter.server.boundAddresses
        var metadata: Logger.Metadata = [
            "address": "\(bound.joined(separator: ","))", "telemetry_path": "\(configuration.telemetryPath)",
            "tls": "\(web.servesTLS)",
        ]
        if fromFile {
            metadata["config_file"] = "\(configuration.configFile ?? "")"
            metadata["orgs"] = "\(orgs.count)"
            metadata["shard"] = "\(configuration.shard.map { "\($0)" } ?? "-")"
        } else if let org = orgs.first?.settings {
            metadata["basic_auth"] = "\(web.requiresBasicAuth)"
            metadata["api"] = "\(org.token.hosts.apiBaseURL)"
            metadata["collectors"] = "\(org.enabledCollectors.sorted().joined(separator: ","))"
        }
        logger.info("listening", metadata: metadata)
        if let simulator {
            let host = configuration.listenHost == "0.0.0.0" ? "127.0.0.1" : configuration.listenHost
            let endpoint = configuration.systemdSockets.isEmpty ? "\(host):\(port)" : bound.first ?? "?"
            let scheme = web.servesTLS ? "https" : "http"
            print(
                """
                genesys-exporter \(BuildInfo.version) in demo mode against the built-in Genesys Cloud simulator at \(simulator.baseURL)
                  metrics:   \(scheme)://\(endpoint)\(configuration.telemetryPath)
                  readiness: \(scheme)://\(endpoint)/-/ready
                Press Ctrl-C to stop.
                """)
            fflush(nil)
        }
        // SIGHUP reloads --config.file, as Prometheus does; the reload runs off the signal handler's queue.
        let hangup = fromFile ? DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global()) : nil
        if let hangup {
            signal(SIGHUP, SIG_IGN)
            hangup.setEventHandler { _ = exporter.fleet.reload() }
            hangup.resume()
        }
        defer { hangup?.cancel() }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: exporter.services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        try? await simulator?.shutdown()
        logger.info("stopped")
    }
}

/// Binds the server; a busy or forbidden address is logged and exits 1. Returns the first bound port.
func start(_ server: MetricsServer, _ configuration: ExporterConfiguration, logger: Logger) async throws -> Int {
    do {
        return try await server.start()
    } catch {
        let addresses =
            configuration.systemdSockets.isEmpty
            ? configuration.listenAddresses.map(\.description)
            : configuration.systemdSockets.map { "systemd socket \($0)" }
        logger.error(
            "cannot listen",
            metadata: [
                "address": "\(addresses.joined(separator: ","))",
                "error": "\(error)",
            ])
        throw ExitCode(1)
    }
}

/// Sets up swift-log with the configured level and format, and logs the configuration's warnings.
func bootstrapLogging(_ configuration: ExporterConfiguration) -> Logger {
    LoggingSystem.bootstrap { label in
        LineLogHandler(label: label, level: configuration.logLevel, format: configuration.logFormat)
    }
    let logger = Logger(label: "genesys-exporter")
    for warning in configuration.warnings { logger.warning("\(warning)") }
    return logger
}

/// The orgs to monitor: the configured ones, or in demo mode the built-in simulator's org, started here.
func monitoredOrgs(
    _ configuration: ExporterConfiguration, demoQueues: Int = 40, logger: Logger
) async throws -> ([ConfiguredOrg], GenesysSimulator?) {
    guard configuration.demo, configuration.configFile == nil else { return (configuration.orgs, nil) }
    guard (0...10_000).contains(demoQueues) else {
        throw ConfigurationError.invalid(setting: "--demo.queues", reason: "must be 0 to 10000")
    }
    let simulator = GenesysSimulator(
        configuration: SimulatorConfiguration(tokenTTL: .seconds(60), queueCount: demoQueues, movingObservations: true))
    try await simulator.start(host: "127.0.0.1", port: 0)
    logger.info("demo mode: started the Genesys Cloud simulator", metadata: ["url": "\(simulator.baseURL)"])
    let org = try configuration.demoOrg(
        apiBaseURL: simulator.baseURL, clientID: simulator.configuration.clientID,
        clientSecret: simulator.configuration.clientSecret)
    return ([.single(org)], simulator)
}
