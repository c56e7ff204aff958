import FoundationEssentials
import GenesysAPI
import GenesysBase
import GenesysJSON
import GenesysTelemetry
import Synchronization

/// What the flows and data_actions collectors share with queue_performance's windows: the entities that get series
/// (an anchored name regex and a cap, the queue selection's rule) and the aggregates query bodies, in batches of
/// ids as a `matches` filter of one dimension.
struct NamedSelection: Sendable, Equatable {
    let nameFilter: String?
    let max: Int

    /// `--collector.<collector>.name-filter` and `--collector.<collector>.max`.
    static func options(
        _ options: [String: String], of collector: String, defaultMax: Int
    ) throws(ConfigurationError) -> NamedSelection {
        let max = try CollectorOptionValue.wholeNumber(options, "max", of: collector, in: 0...1_000_000) ?? defaultMax
        if let nameFilter = options["name-filter"] {
            do { _ = try Regex(nameFilter) } catch {
                throw .invalid(
                    setting: "--collector.\(collector).name-filter",
                    reason: "'\(SafeExcerpt.of(nameFilter, limit: 80))' is not a valid regular expression: \(error)")
            }
        }
        return NamedSelection(nameFilter: options["name-filter"], max: max)
    }

    /// The entities that get series: matching the filter, ordered by name then id, at most `max`.
    func select<Entity: Identified>(_ entities: [Entity]) -> (selected: [Entity], dropped: Int) {
        var matching = entities
        if let nameFilter, let regex = try? Regex(nameFilter) {
            matching = entities.filter { (try? regex.wholeMatch(in: $0.name)) != nil }
        }
        matching.sort { ($0.name, $0.id) < ($1.name, $1.id) }
        let selected = Array(matching.prefix(max))
        return (selected, matching.count - selected.count)
    }
}

enum AnalyticsWindows {
    /// Ids per query, as for queues (the analytics API refuses large predicate lists).
    static let batchSize = QueueQuery.batchSize
    /// How far back the first poll looks for entities with traffic, to create their series at 0.
    static let discoveryMillis: Int64 = 24 * 3_600_000

    static func batches(_ ids: [String]) -> [ArraySlice<String>] {
        stride(from: 0, to: ids.count, by: batchSize).map { ids[$0..<min($0 + batchSize, ids.count)] }
    }

    /// `{"interval":…,"groupBy":[…],"filter":{"type":"or","predicates":[…]},"metrics":[…]}` for `ids` of
    /// `dimension` over `[start, end)`.
    static func body(
        from start: Int64, to end: Int64, groupBy: [String], dimension: String, ids: some Collection<String>,
        metrics: [String]
    ) -> [UInt8] {
        let interval = "\(UTCTimestamp.format(unixMillis: start))/\(UTCTimestamp.format(unixMillis: end))"
        let predicates = ids.map {
            "{\"type\":\"dimension\",\"dimension\":\(JSONText.quoted(dimension)),\"operator\":\"matches\","
                + "\"value\":\(JSONText.quoted($0))}"
        }
        let body =
            "{\"interval\":\"\(interval)\",\"groupBy\":[\(groupBy.map(JSONText.quoted).joined(separator: ","))],"
            + "\"filter\":{\"type\":\"or\",\"predicates\":[\(predicates.joined(separator: ","))]},"
            + "\"metrics\":[\(metrics.map(JSONText.quoted).joined(separator: ","))]}"
        return Array(body.utf8)
    }

    /// `check`'s query: `body` over the last whole minute that has settled by now (the default lag).
    static func lastSettledMinuteBody(
        groupBy: [String], dimension: String, ids: some Collection<String>, metrics: [String]
    ) -> [UInt8] {
        let end = QueuePerformanceCollector.settledEnd(
            now: QueuePerformanceCollector.millis(Date().timeIntervalSince1970),
            lagMillis: QueuePerformanceCollector.defaultLag.wholeMilliseconds)
        return body(from: end - 60_000, to: end, groupBy: groupBy, dimension: dimension, ids: ids, metrics: metrics)
    }

    /// Every group of `ids`' answers over `[start, end)`, batch after batch.
    static func query(
        _ endpoint: Endpoint, _ context: CollectorContext, from start: Int64, to end: Int64, groupBy: [String],
        ids: [String], metrics: [String]
    ) async throws(APIError) -> GroupedAggregates {
        var aggregates = GroupedAggregates(dimensions: groupBy)
        guard end > start else { return aggregates }
        for batch in batches(ids) {
            let body = Self.body(
                from: start, to: end, groupBy: groupBy, dimension: groupBy[0], ids: batch, metrics: metrics)
            let result = try await context.api.post(endpoint, body: body)
            try context.api.decode(endpoint, result) { json throws(JSONDecodingError) in try aggregates.add(json) }
        }
        return aggregates
    }
}

/// Set once, never cleared: whether the first successful poll's one-off work (finding the entities with traffic)
/// was done.
final class OnceFlag: Sendable {
    private let value = Mutex(false)

    var isSet: Bool { value.withLock { $0 } }

    func set() { value.withLock { $0 = true } }
}
