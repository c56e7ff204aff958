/// An answer of `POST /api/v2/analytics/conversations/aggregates/query` grouped by `queueId` and `mediaType`: the
/// statistics of each metric per queue and media type, summed over the answer's data intervals.
import GenesysJSON

package struct ConversationAggregates: Sendable {
    package struct Key: Hashable, Sendable {
        package let queueID: String
        package let mediaType: String
        /// `inbound`, `outbound` or `unknown` when the query grouped by direction; empty otherwise.
        package let direction: String

        package init(queueID: String, mediaType: String, direction: String = "") {
            self.queueID = queueID
            self.mediaType = mediaType
            self.direction = direction
        }

        /// The key without its direction.
        package var withoutDirection: Key { Key(queueID: queueID, mediaType: mediaType) }
    }

    /// The directions Genesys names (`inbound`, `outbound`); any other value is kept as `unknown`.
    static let directions: Set<String> = ["inbound", "outbound"]

    /// One metric's statistics. Timer metrics (`t…`) carry `count` and `sum` in milliseconds; `n…` only `count`;
    /// `oServiceLevel` a ratio with its target; `oServiceTarget` its `current` value.
    package struct Stats: Sendable, Equatable {
        package var count: Int = 0
        package var sumMillis: Double = 0
        package var ratio: Double?
        package var target: Double?

        package init(count: Int = 0, sumMillis: Double = 0, ratio: Double? = nil, target: Double? = nil) {
            self.count = count
            self.sumMillis = sumMillis
            self.ratio = ratio
            self.target = target
        }
    }

    /// Bounds for numbers from the API: far above any real contact center, far below anything that overflows.
    static let mostConversations = 0...1_000_000_000
    /// A thousand years of handle time, in milliseconds.
    static let mostMillis: ClosedRange<Double> = 0...3.2e13

    package private(set) var stats: [Key: [String: Stats]] = [:]

    package init() {}

    /// The same statistics with every direction's counts and sums added up per queue and media type.
    package func mergingDirections() -> ConversationAggregates { merged { $0.withoutDirection } }

    /// The same statistics with a group that named no direction counted as `unknown` (for a query grouped by it).
    package func missingDirectionsUnknown() -> ConversationAggregates {
        merged { $0.direction.isEmpty ? Key(queueID: $0.queueID, mediaType: $0.mediaType, direction: "unknown") : $0 }
    }

    private func merged(_ newKey: (Key) -> Key) -> ConversationAggregates {
        var merged = ConversationAggregates()
        for (key, metrics) in stats {
            let key = newKey(key)
            for (name, entry) in metrics {
                var total = merged.stats[key, default: [:]][name, default: Stats()]
                total.count = min(total.count + entry.count, Self.mostConversations.upperBound)
                total.sumMillis = min(total.sumMillis + entry.sumMillis, Self.mostMillis.upperBound)
                total.ratio = entry.ratio ?? total.ratio
                total.target = entry.target ?? total.target
                merged.stats[key, default: [:]][name] = total
            }
        }
        return merged
    }

    /// Adds one answer (the collector queries batch after batch into one value). A group's statistics are read and
    /// written back once, not once per metric (a key hashes three strings), and numbers are read without cursors.
    package mutating func add(_ json: JSONCursor) throws(JSONDecodingError) {
        try json.optionalField("results")?.forEachElement { result throws(JSONDecodingError) in
            let group = try result.field("group")
            let direction = try group.optionalString("direction").map { Self.directions.contains($0) ? $0 : "unknown" }
            let key = Key(
                queueID: try group.string("queueId"), mediaType: try group.optionalString("mediaType") ?? "unknown",
                direction: direction ?? "")
            var metrics = stats[key] ?? [:]
            var added = false
            try result.optionalField("data")?.forEachElement { interval throws(JSONDecodingError) in
                try interval.optionalField("metrics")?.forEachElement { metric throws(JSONDecodingError) in
                    let name = try metric.string("metric")
                    guard let values = try metric.optionalField("stats") else { return }
                    var entry = metrics[name] ?? Stats()
                    let count = try values.optionalInt("count", in: Self.mostConversations) ?? 0
                    let sum = try values.optionalDouble("sum", in: Self.mostMillis) ?? 0
                    // Sums of two in-range values stay far inside Int and Double's exact range.
                    entry.count = min(entry.count + count, Self.mostConversations.upperBound)
                    entry.sumMillis = min(entry.sumMillis + sum, Self.mostMillis.upperBound)
                    if let ratio = try values.optionalDouble("ratio", in: 0...1) { entry.ratio = ratio }
                    if let target = try values.optionalDouble("target", in: 0...1) { entry.target = target }
                    if let current = try values.optionalDouble("current", in: 0...1) { entry.target = current }
                    metrics[name] = entry
                    added = true
                }
            }
            if added { stats[key] = metrics }
        }
    }
}

/// `GET /api/v2/routing/queues/{queueId}/mediatypes/{mediaType}/estimatedwaittime`: the first result's estimate,
/// nil when Genesys gives none.
package enum EstimatedWaitTime {
    /// A week: far above any queue's estimate.
    static let longest: ClosedRange<Double> = 0...604_800

    package static func seconds(_ json: JSONCursor) throws(JSONDecodingError) -> Double? {
        for result in try json.optionalField("results")?.elements() ?? [] {
            if let seconds = try result.optionalField("estimatedWaitTimeSeconds")?.double(in: longest) {
                return seconds
            }
        }
        return nil
    }
}
