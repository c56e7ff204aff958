import GenesysServer
import GenesysTelemetry
import Logging
import ServiceLifecycle

/// The assembled exporter: the fleet of org monitors and one HTTP endpoint serving them. The orgs of `--config.file`
/// are labelled (`org`), reloadable (SIGHUP, `POST /-/reload`) and each on its own (`/metrics?org=`); one org without
/// it is a fleet of one, served as it always was.
package final class Exporter: Sendable {
    package let fleet: OrgFleet
    package let server: MetricsServer
    private let initialOrgs: [ConfiguredOrg]

    /// `loadOrgs` reads `--config.file` again; nil for one org without it (then `orgs` is that one org).
    package init(
        orgs: [ConfiguredOrg], loadOrgs: (@Sendable () throws(ConfigurationError) -> [ConfiguredOrg])? = nil,
        telemetryPath: String = "/metrics", listenAddresses: [ListenAddress], systemdSockets: [CInt] = [],
        limits: ServerLimits = ServerLimits(), web: WebConfigSource = .none(), openMetricsCreatedSamples: Bool = false,
        logger: Logger, clock: any ExporterClock = SystemClock()
    ) {
        let fleet = OrgFleet(
            loadOrgs: loadOrgs, logger: logger, clock: clock, openMetricsCreatedSamples: openMetricsCreatedSamples)
        var routes = ExporterRoutes(
            telemetryPath: telemetryPath, renderMetrics: { fleet.render($0, syntax: $1, org: $2) },
            readiness: { fleet.readiness() })
        // Without a file there is nothing to reload: `POST /-/reload` is then 404.
        if fleet.labelled { routes.reload = { fleet.reload() } }
        routes.status = { fleet.status() }
        self.fleet = fleet
        initialOrgs = orgs
        server = MetricsServer(
            addresses: listenAddresses, inheritedSockets: systemdSockets, routes: routes, limits: limits, web: web,
            metrics: WebServerMetrics(registry: fleet.processStore.liveRegistry), logger: logger)
    }

    /// Starts the orgs read at start-up.
    package func startOrgs() { fleet.start(initialOrgs) }

    /// The services to hand to a `ServiceGroup`: the HTTP server, the fleet and the heap trim.
    package var services: [any Service] { [server, OrgFleetService(exporter: self), HeapTrimService()] }
}

/// Runs the fleet until graceful shutdown, then stops every org (each flushes its token cache).
struct OrgFleetService: Service {
    let exporter: Exporter

    func run() async throws {
        exporter.startOrgs()
        try? await gracefulShutdown()
        await exporter.fleet.stop()
    }
}
