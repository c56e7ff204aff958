import Prometheus
import Synchronization

/// The live series of one labelled gauge family whose label sets come and go (queues, identity):
/// `publish` sets the given series and unregisters the ones that are gone, so no stale series lingers.
package final class GaugeSeriesSet: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let name: String
    private let help: String
    private let live = Mutex<[[String]: Gauge]>([:])

    package init(registry: PrometheusCollectorRegistry, name: String, help: String) {
        self.registry = registry
        self.name = name
        self.help = help
    }

    package func publish(_ series: [(labels: [(String, String)], value: Double)]) {
        live.withLock { live in
            var next: [[String]: Gauge] = [:]
            for entry in series {
                let key = entry.labels.flatMap { [$0.0, $0.1] }
                let gauge = live[key] ?? registry.gauge(name, help, labels: entry.labels)
                gauge.set(entry.value)
                next[key] = gauge
            }
            for (key, gauge) in live where next[key] == nil { registry.unregisterGauge(gauge) }
            live = next
        }
    }

    var count: Int { live.withLock { $0.count } }
}
