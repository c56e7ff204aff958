/// A routing queue as `GET /api/v2/routing/queues` lists it (the fields the exporter uses).
import GenesysJSON

package struct RoutingQueue: Sendable, Equatable {
    package let id: String
    package let name: String
    package let memberCount: Int
    package let userMemberCount: Int
    package let joinedMemberCount: Int
    /// The queue's division (`division.id`, `division.name`); nil when the listing leaves it out.
    package let divisionID: String?
    package let divisionName: String?

    init(_ json: JSONCursor) throws(JSONDecodingError) {
        id = try json.string("id")
        name = try json.optionalString("name") ?? ""
        memberCount = try json.optionalInt("memberCount", in: Self.plausibleMembers) ?? 0
        userMemberCount = try json.optionalInt("userMemberCount", in: Self.plausibleMembers) ?? 0
        joinedMemberCount = try json.optionalInt("joinedMemberCount", in: Self.plausibleMembers) ?? 0
        let division = try json.optionalField("division")
        divisionID = try division?.optionalString("id")
        divisionName = try division?.optionalString("name")
    }

    /// Far above any real queue (an org has at most a few tens of thousands of users).
    static let plausibleMembers = 0...10_000_000

    package init(
        id: String, name: String, memberCount: Int = 0, userMemberCount: Int = 0, joinedMemberCount: Int = 0,
        divisionID: String? = nil, divisionName: String? = nil
    ) {
        self.id = id
        self.divisionID = divisionID
        self.divisionName = divisionName
        self.name = name
        self.memberCount = memberCount
        self.userMemberCount = userMemberCount
        self.joinedMemberCount = joinedMemberCount
    }
}

/// One page of `QueueEntityListing`.
package struct RoutingQueuesPage: Sendable, Equatable {
    package let entities: [RoutingQueue]
    package let pageNumber: Int
    package let pageCount: Int
    package let total: Int

    /// Bounds for numbers the listing sends: far above real orgs, far below anything that overflows.
    static let mostQueues = 100_000_000
    static let mostPages = 1_000_000

    package init(_ json: JSONCursor) throws(JSONDecodingError) {
        let list = try json.field("entities")
        var entities: [RoutingQueue] = []
        entities.reserveCapacity(try list.count())
        try list.forEachElement { element throws(JSONDecodingError) in entities.append(try RoutingQueue(element)) }
        self.entities = entities
        pageNumber = try json.optionalInt("pageNumber", in: 0...Self.mostPages) ?? 1
        total = try json.field("total").int(in: 0...Self.mostQueues)
        pageCount = try json.optionalInt("pageCount", in: 0...Self.mostPages) ?? 1
    }
}

extension GenesysAPIClient {
    /// The largest page size the queue listing accepts (the value widely used against the real API).
    package static let maxQueuePageSize = 500

    /// Every routing queue, page by page at the largest page size. Each page asks for a valid token,
    /// so a refresh between pages does not interrupt the listing.
    package func listRoutingQueues(
        pageSize: Int = GenesysAPIClient.maxQueuePageSize
    ) async throws(APIError) -> (queues: [RoutingQueue], total: Int) {
        var queues: [RoutingQueue] = []
        var pageNumber = 1
        var total = 0
        while true {
            let result = try await get(
                .routingQueues, query: [("pageSize", String(pageSize)), ("pageNumber", String(pageNumber))])
            let page = try decode(.routingQueues, result) { json throws(JSONDecodingError) in
                try RoutingQueuesPage(json)
            }
            queues += page.entities
            total = page.total
            // pageCount bounds the loop even if a server kept returning full pages.
            if page.entities.isEmpty || pageNumber >= page.pageCount || pageNumber >= 10_000 { break }
            pageNumber += 1
        }
        return (queues, total)
    }
}
