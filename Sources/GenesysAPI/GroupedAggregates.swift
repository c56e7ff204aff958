import GenesysJSON

/// An answer of an analytics aggregates query other than the conversations' (flows, data actions): per group, the
/// count and sum of each metric, summed over the answer's data intervals. A group is keyed by the values of the
/// query's `groupBy` dimensions in order; the first must be present, the others are nil when Genesys leaves them
/// out (a data action's successful executions carry no `errorType`).
package struct GroupedAggregates: Sendable, Equatable {
    package typealias Stats = ConversationAggregates.Stats

    package let dimensions: [String]
    package private(set) var stats: [[String?]: [String: Stats]] = [:]

    /// Bounds for numbers from the API, as for the conversation aggregates.
    static let mostEvents = ConversationAggregates.mostConversations
    static let mostMillis = ConversationAggregates.mostMillis

    package init(dimensions: [String]) {
        precondition(!dimensions.isEmpty, "a grouped query has at least one dimension")
        self.dimensions = dimensions
    }

    /// Adds one answer (a collector may query batch after batch into one value).
    package mutating func add(_ json: JSONCursor) throws(JSONDecodingError) {
        for result in try json.optionalField("results")?.elements() ?? [] {
            let group = try result.field("group")
            var key: [String?] = [try group.string(dimensions[0])]
            for dimension in dimensions.dropFirst() { key.append(try group.optionalString(dimension)) }
            for interval in try result.optionalField("data")?.elements() ?? [] {
                for metric in try interval.optionalField("metrics")?.elements() ?? [] {
                    let name = try metric.string("metric")
                    guard let values = try metric.optionalField("stats") else { continue }
                    let count = try values.optionalField("count")?.int(in: Self.mostEvents) ?? 0
                    let sum = try values.optionalField("sum")?.double(in: Self.mostMillis) ?? 0
                    var entry = stats[key, default: [:]][name, default: Stats()]
                    // Sums of two in-range values stay far inside Int and Double's exact range.
                    entry.count = min(entry.count + count, Self.mostEvents.upperBound)
                    entry.sumMillis = min(entry.sumMillis + sum, Self.mostMillis.upperBound)
                    stats[key, default: [:]][name] = entry
                }
            }
        }
    }
}
