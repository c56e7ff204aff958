/// The series of one labelled counter family that only ever grow (per-queue totals): `add` creates a series the first
/// time its labels appear and increments it; `keep` drops the series of queues no longer selected.
package final class CounterSeriesSet: Sendable {
    private let tables: SeriesTables
    private let family: Int

    package init(store: MetricStore, name: String, help: String) {
        tables = store.tables
        family = tables.register(name: name, help: help, kind: .counter)
    }

    /// Adds each finite, non-negative increment (anything else would make the counter go back or stop meaning a count).
    package func add(_ increments: [(labels: [(String, String)], value: Double)]) {
        tables.add(family, increments.filter { $0.value.isFinite && $0.value >= 0 })
    }

    /// Adds to counters of one store whose series share label sets (`values[n][i]` to `counters[n]`'s series with
    /// `labels[i]`), numbering each label set once; the same filter as `add(_:)`.
    package static func add(_ counters: [CounterSeriesSet], sharing labels: [[(String, String)]], values: [[Double]]) {
        guard let tables = counters.first?.tables else { return }
        precondition(counters.allSatisfy { $0.tables === tables }, "counters of one store")
        tables.add(
            counters.map(\.family), sharing: labels,
            values: values.map { $0.map { $0.isFinite && $0 >= 0 ? $0 : nil } })
    }

    /// Replaces the series with totals counted elsewhere (Genesys' usage counts, which start again each day): the
    /// family stays a counter, and a lower total is a reset that `rate()` and `increase()` handle.
    package func publishTotals(_ totals: [(labels: [(String, String)], value: Double)]) {
        tables.replace(family, with: totals.filter { $0.value.isFinite && $0.value >= 0 })
    }

    /// Drops every series whose `label` value is not in `values` (a queue that left the selection).
    package func keep(label: String, in values: Set<String>) {
        tables.keep(family, label: label, in: values)
    }

    package var count: Int { tables.count(family) }
}
