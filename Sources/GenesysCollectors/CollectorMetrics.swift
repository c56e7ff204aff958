import FoundationEssentials
import GenesysTelemetry
import Glibc

/// `genesys_up` and the per-collector status families, in compact series tables: a registry metric is about a
/// kilobyte, and a 200-org fleet has five of these per collector and org.
package final class CollectorMetrics: Sendable {
    private let up: GaugeSeriesSet
    private let collectorUp: GaugeSeriesSet
    private let duration: GaugeSeriesSet
    private let lastSuccess: GaugeSeriesSet
    private let pollInterval: GaugeSeriesSet

    package init(store: MetricStore, collectors: [String]) {
        up = GaugeSeriesSet(
            store: store, name: "genesys_up",
            help: "1 when the last poll authenticated and reached the Genesys Cloud API.")
        collectorUp = GaugeSeriesSet(
            store: store, name: "genesys_collector_up",
            help: "1 when the collector's last poll succeeded; its series keep their last values otherwise.")
        duration = GaugeSeriesSet(
            store: store, name: "genesys_collector_duration_seconds", help: "How long the collector's last poll took.")
        lastSuccess = GaugeSeriesSet(
            store: store, name: "genesys_collector_last_success_timestamp_seconds",
            help: "Unix time of the collector's last successful poll.")
        pollInterval = GaugeSeriesSet(
            store: store, name: "genesys_poll_interval_seconds",
            help: "The collector's interval between polls now: longer while the rate-limit headroom is low.")
        up.set([([], 0)])
        collectorUp.set(collectors.map { ([("collector", $0)], 0) })
    }

    /// `reachedAPI` nil leaves `genesys_up` as it is: the collector calls no Genesys Cloud API (the status page).
    package func recordRun(_ name: String, succeeded: Bool, reachedAPI: Bool?, took: Duration, at unixNow: Double) {
        collectorUp.set([([("collector", name)], succeeded ? 1 : 0)])
        if let reachedAPI { up.set([([], reachedAPI ? 1 : 0)]) }
        duration.set([([("collector", name)], took.seconds)])
        if succeeded { lastSuccess.set([([("collector", name)], unixNow)]) }
    }

    /// The collector's interval between polls now.
    package func recordPollInterval(_ name: String, seconds: Double) {
        pollInterval.set([([("collector", name)], seconds)])
    }
}
