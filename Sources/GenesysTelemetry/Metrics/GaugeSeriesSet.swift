/// The live series of one labelled gauge family whose label sets come and go (queues, identity):
/// `publish` replaces the family's series, so no stale series lingers.
package final class GaugeSeriesSet: Sendable {
    private let tables: SeriesTables
    private let family: Int

    package init(store: MetricStore, name: String, help: String) {
        tables = store.tables
        family = tables.register(name: name, help: help, kind: .gauge)
    }

    package func publish(_ series: [(labels: [(String, String)], value: Double)]) {
        tables.replace(family, with: series)
    }

    /// Sets these series (the last request's phases of one endpoint), creating them; the others keep their values.
    package func set(_ series: [(labels: [(String, String)], value: Double)]) {
        tables.set(family, series)
    }

    var count: Int { tables.count(family) }
}
