/// The handled conversations per queue and wrap-up code, from the conversation aggregates grouped by `queueId` and
/// `wrapUpCode`.
import GenesysJSON

/// Handled conversations (`tHandle` count) per queue and wrap-up code, summed over the answer's intervals. A group
/// without a code (conversations handled without wrap-up) is kept under the empty code.
package struct WrapupHandled: Sendable, Equatable {
    package private(set) var counts: [String: [String: Int]] = [:]

    package init() {}

    package mutating func add(_ json: JSONCursor) throws(JSONDecodingError) {
        for result in try json.optionalField("results")?.elements() ?? [] {
            let group = try result.field("group")
            let queueID = try group.string("queueId")
            let code = try group.optionalString("wrapUpCode") ?? ""
            for interval in try result.optionalField("data")?.elements() ?? [] {
                for metric in try interval.optionalField("metrics")?.elements() ?? []
                where try metric.string("metric") == "tHandle" {
                    let count =
                        try metric.optionalField("stats")?.optionalField("count")?.int(
                            in: ConversationAggregates.mostConversations) ?? 0
                    // Two in-range counts add far inside Int; the total is kept in range.
                    let total = counts[queueID, default: [:]][code, default: 0] + count
                    counts[queueID, default: [:]][code] = min(
                        total, ConversationAggregates.mostConversations.upperBound)
                }
            }
        }
    }
}
