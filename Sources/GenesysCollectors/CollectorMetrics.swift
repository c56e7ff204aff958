import FoundationEssentials
import GenesysTelemetry
import Glibc
import Prometheus

/// `genesys_up` and the per-collector status families.
package final class CollectorMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry

    package init(registry: PrometheusCollectorRegistry, collectors: [String]) {
        self.registry = registry
        up.set(0.0)
        for name in collectors { collectorUp(name).set(0.0) }
    }

    private var up: Gauge {
        registry.gauge("genesys_up", "1 when the last poll authenticated and reached the Genesys Cloud API.")
    }

    private func collectorUp(_ name: String) -> Gauge {
        registry.gauge(
            "genesys_collector_up",
            "1 when the collector's last poll succeeded; its series keep their last values otherwise.",
            labels: [("collector", name)])
    }

    /// `reachedAPI` nil leaves `genesys_up` as it is: the collector calls no Genesys Cloud API (the status page).
    package func recordRun(_ name: String, succeeded: Bool, reachedAPI: Bool?, took: Duration, at unixNow: Double) {
        collectorUp(name).set(succeeded ? 1.0 : 0.0)
        if let reachedAPI { up.set(reachedAPI ? 1.0 : 0.0) }
        registry.gauge(
            "genesys_collector_duration_seconds", "How long the collector's last poll took.",
            labels: [("collector", name)]
        )
        .set(took.seconds)
        if succeeded {
            registry.gauge(
                "genesys_collector_last_success_timestamp_seconds",
                "Unix time of the collector's last successful poll.", labels: [("collector", name)]
            )
            .set(unixNow)
        }
    }
}
