import GenesysBase
import GenesysCollectors
import GenesysServer
import GenesysTelemetry
import Logging
import Prometheus
import ServiceLifecycle

/// The assembled exporter for one org: the poller, the metric registry and the HTTP endpoint.
package final class Exporter: Sendable {
    package let monitor: OrgMonitor
    package let server: MetricsServer
    package let store: MetricStore

    /// `listenAddresses`, when given, replaces `listenHost`/`listenPort`.
    package init(
        org: OrgSettings, listenHost: String = "127.0.0.1", listenPort: Int = 0, telemetryPath: String = "/metrics",
        listenAddresses: [ListenAddress] = [], limits: ServerLimits = ServerLimits(), web: WebConfigSource = .none(),
        logger: Logger = Logger(label: "genesys-exporter"), clock: any ExporterClock = SystemClock()
    ) {
        let store = MetricStore()
        let monitor = OrgMonitor(settings: org, store: store, logger: logger, clock: clock)
        let process = ProcessMetrics(registry: store.liveRegistry)
        store.registry.registerBuildInfo(
            version: BuildInfo.version, revision: BuildInfo.revision, swiftVersion: BuildInfo.swiftVersion)
        let routes = ExporterRoutes(
            telemetryPath: telemetryPath,
            renderMetrics: { encoding, org in
                // One org, no org label: `?org=` names no org here.
                guard org == nil else { return nil }
                return store.render(encoding) {
                    monitor.prepareScrape()
                    process.update()
                }
            },
            readiness: { monitor.readinessStatus() })
        self.store = store
        self.monitor = monitor
        self.server = MetricsServer(
            addresses: listenAddresses.isEmpty ? [ListenAddress(host: listenHost, port: listenPort)] : listenAddresses,
            routes: routes, limits: limits, web: web,
            metrics: WebServerMetrics(registry: store.liveRegistry), logger: logger)
    }

    /// The services to hand to a `ServiceGroup`: the HTTP server, the poller and the heap trim.
    package var services: [any Service] { [server, OrgMonitorService(monitor: monitor), HeapTrimService()] }
}

/// Runs an org's pollers until graceful shutdown, then flushes its token cache.
package struct OrgMonitorService: Service {
    package let monitor: OrgMonitor

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            await monitor.run()
        }
    }
}
