/// Wrap-up codes: their names from `GET /api/v2/routing/wrapupcodes` and the handled conversations per queue and
/// code from the conversation aggregates grouped by `queueId` and `wrapUpCode`.
import GenesysJSON

/// One page of `WrapupCodeEntityListing`: each code's id and name.
package struct WrapupCodesPage: Sendable, Equatable {
    package let names: [(id: String, name: String)]
    package let pageCount: Int

    /// Far above any real listing, far below anything that overflows.
    static let mostPages = 1_000_000

    package init(_ json: JSONCursor) throws(JSONDecodingError) {
        names = try (json.optionalField("entities")?.elements() ?? []).map { entity throws(JSONDecodingError) in
            (try entity.string("id"), try entity.optionalString("name") ?? "")
        }
        pageCount = try json.optionalField("pageCount")?.int(in: 0...Self.mostPages) ?? 1
    }

    package static func == (a: Self, b: Self) -> Bool {
        a.pageCount == b.pageCount && a.names.elementsEqual(b.names) { $0 == $1 }
    }
}

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

extension Endpoint {
    package static let wrapupCodes = Endpoint(
        method: "GET", template: "/api/v2/routing/wrapupcodes", permission: "routing:wrapupCode:view",
        answer: AnswerDecoder(fuzzName: "wrapup-codes") { json throws(JSONDecodingError) in
            try WrapupCodesPage(json)
        })
}
