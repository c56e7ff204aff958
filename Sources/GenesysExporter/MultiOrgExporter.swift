import GenesysServer
import GenesysTelemetry
import Logging
import ServiceLifecycle

/// The assembled exporter for the orgs of `--config.file`: the fleet of org monitors and one HTTP endpoint serving
/// all of them (`/metrics`), one of them (`/metrics?org=`), their readiness and `POST /-/reload`.
package final class MultiOrgExporter: Sendable {
    package let fleet: OrgFleet
    package let server: MetricsServer
    private let initialOrgs: [ConfiguredOrg]

    package init(
        orgs: [ConfiguredOrg], loadOrgs: @escaping @Sendable () throws(ConfigurationError) -> [ConfiguredOrg],
        telemetryPath: String = "/metrics", listenAddresses: [ListenAddress], limits: ServerLimits = ServerLimits(),
        web: WebConfigSource = .none(), logger: Logger, clock: any ExporterClock = SystemClock()
    ) {
        let fleet = OrgFleet(loadOrgs: loadOrgs, logger: logger, clock: clock)
        let routes = ExporterRoutes(
            telemetryPath: telemetryPath, renderMetrics: { fleet.render($0, org: $1) },
            readiness: { fleet.readiness() }, reload: { fleet.reload() })
        self.fleet = fleet
        initialOrgs = orgs
        server = MetricsServer(
            addresses: listenAddresses, routes: routes, limits: limits, web: web,
            metrics: WebServerMetrics(registry: fleet.processStore.liveRegistry), logger: logger)
    }

    /// Starts the orgs read at start-up.
    package func startOrgs() { fleet.start(initialOrgs) }

    /// The services to hand to a `ServiceGroup`: the HTTP server, the fleet and the heap trim.
    package var services: [any Service] { [server, OrgFleetService(exporter: self), HeapTrimService()] }
}

/// Runs the fleet until graceful shutdown, then stops every org (each flushes its token cache).
struct OrgFleetService: Service {
    let exporter: MultiOrgExporter

    func run() async throws {
        exporter.startOrgs()
        try? await gracefulShutdown()
        await exporter.fleet.stop()
    }
}
