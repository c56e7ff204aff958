import Prometheus
import Synchronization

/// The series of one labelled counter family that only ever grow (per-queue totals): `add` creates a series the first
/// time its labels appear and increments it; `keep` drops the series of queues no longer selected.
package final class CounterSeriesSet: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let name: String
    private let help: String
    private let live = Mutex<[[String]: Counter]>([:])

    package init(registry: PrometheusCollectorRegistry, name: String, help: String) {
        self.registry = registry
        self.name = name
        self.help = help
    }

    package func add(_ increments: [(labels: [(String, String)], value: Double)]) {
        live.withLock { live in
            for entry in increments where entry.value.isFinite && entry.value >= 0 {
                let key = entry.labels.flatMap { [$0.0, $0.1] }
                let counter = live[key] ?? registry.counter(name, help, labels: entry.labels)
                counter.increment(by: entry.value)
                live[key] = counter
            }
        }
    }

    /// Unregisters every series whose `label` value is not in `values` (a queue that left the selection).
    package func keep(label: String, in values: Set<String>) {
        live.withLock { live in
            for (key, counter) in live {
                // Keys are name, value, name, value…
                guard let index = stride(from: 0, to: key.count - 1, by: 2).first(where: { key[$0] == label }),
                    !values.contains(key[index + 1])
                else { continue }
                registry.unregisterCounter(counter)
                live[key] = nil
            }
        }
    }

    package var count: Int { live.withLock { $0.count } }
}
