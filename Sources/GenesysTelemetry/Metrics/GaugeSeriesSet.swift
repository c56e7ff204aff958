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

    /// Replaces the family's series with `layout`'s label sets and these values, in its order (only the values are
    /// written when the layout is the one published last).
    package func publish(_ layout: SeriesLayout, values: [Double]) {
        tables.replace(family, layout: layout, values: values)
    }

    /// Replaces the family's series with those of `layout`'s label sets that have a value (nil: no series).
    package func publish(_ layout: SeriesLayout, present values: [Double?]) {
        tables.replace(family, layout: layout, present: values)
    }

    /// Sets these series (the last request's phases of one endpoint), creating them; the others keep their values.
    package func set(_ series: [(labels: [(String, String)], value: Double)]) {
        tables.set(family, series)
    }

    var count: Int { tables.count(family) }
}
