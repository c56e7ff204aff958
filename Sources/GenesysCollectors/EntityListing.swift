import GenesysAPI
import GenesysJSON
import Synchronization

/// An entity of a paged listing, known by id and shown by name (edges, trunks, phones, flows, actions, users, codes).
protocol Identified {
    var id: String { get }
    var name: String { get }
}

/// One page of an `…EntityListing` answer: its entities and the page counts, range-checked.
struct ListingPage<Entity: Sendable & Equatable>: Sendable, Equatable {
    /// Far above any real org, far below anything that overflows.
    static var mostEntities: Int { 100_000_000 }
    static var mostPages: Int { 1_000_000 }

    let entities: [Entity]
    let pageNumber: Int
    let pageCount: Int
    let total: Int

    init(
        _ json: JSONCursor, entity: (JSONCursor) throws(JSONDecodingError) -> Entity
    ) throws(JSONDecodingError) {
        var entities: [Entity] = []
        if let list = try json.optionalField("entities") {
            entities.reserveCapacity(try list.count())
            try list.forEachElement { element throws(JSONDecodingError) in entities.append(try entity(element)) }
        }
        self.entities = entities
        pageNumber = try json.optionalInt("pageNumber", in: 0...Self.mostPages) ?? 1
        total = try json.optionalInt("total", in: 0...Self.mostEntities) ?? entities.count
        pageCount = try json.optionalInt("pageCount", in: 0...Self.mostPages) ?? 1
    }
}

/// Reading a whole paged listing (`pageSize`/`pageNumber`, as every `…EntityListing` endpoint pages).
enum EntityListing {
    /// Entities per page where nothing larger is known to be accepted: the size the SDK's listings accept everywhere.
    static let defaultPageSize = 100
    /// Pages read per listing at most, whatever `pageCount` says.
    static let mostPages = 10_000
    /// Room made up front for the entities the first page's `total` announces, at most this many: growing the id
    /// set page by page rehashed every id seen so far (3% of a 5,000-action listing's CPU in `perf`), and a `total`
    /// from a hostile server must not reserve much.
    static let mostReserved = 50_000

    /// Every entity of the listing, each id once (the first wins), `pageSize` a page: every request costs about as
    /// much again beyond parsing its answer (libcurl, the thread hand-offs, the API metrics), so a listing asks for
    /// the largest page its endpoint accepts. `pageCount` and `mostPages` bound the loop even if a server kept
    /// returning full pages.
    static func all<Entity: Sendable & Equatable & Identified>(
        _ endpoint: Endpoint, _ context: CollectorContext, pageSize: Int = defaultPageSize,
        query: [(String, String)] = [], entity: (JSONCursor) throws(JSONDecodingError) -> Entity
    ) async throws(APIError) -> [Entity] {
        var entities: [Entity] = []
        var seen: Set<String> = []
        var pageNumber = 1
        while true {
            let result = try await context.api.get(
                endpoint, query: [("pageSize", String(pageSize)), ("pageNumber", String(pageNumber))] + query)
            let page = try context.api.decode(endpoint, result) { json throws(JSONDecodingError) in
                try ListingPage(json, entity: entity)
            }
            if pageNumber == 1 {
                let expected = min(max(page.total, page.entities.count), mostReserved)
                seen.reserveCapacity(expected)
                entities.reserveCapacity(expected)
            }
            for item in page.entities where seen.insert(item.id).inserted { entities.append(item) }
            if page.entities.isEmpty || pageNumber >= page.pageCount || pageNumber >= mostPages { break }
            pageNumber += 1
        }
        return entities
    }

    /// Every entity of the listing at the larger page size of `choice` until the endpoint refuses it with a 400,
    /// then (on that listing and every later one) at its fallback: one refused request in the life of the collector.
    static func all<Entity: Sendable & Equatable & Identified>(
        _ endpoint: Endpoint, _ context: CollectorContext, pageSize choice: PageSizeChoice,
        query: [(String, String)] = [], entity: (JSONCursor) throws(JSONDecodingError) -> Entity
    ) async throws(APIError) -> [Entity] {
        let size = choice.current
        do {
            return try await all(endpoint, context, pageSize: size, query: query, entity: entity)
        } catch  where error.status == 400 && size != choice.fallback {
            choice.refused()
            context.logger.notice(
                "the listing refused a larger page; asking for the usual size from now on",
                metadata: [
                    "endpoint": "\(endpoint.template)", "page_size": "\(size)", "fallback": "\(choice.fallback)",
                    "error": "\(error)",
                ])
            return try await all(endpoint, context, pageSize: choice.fallback, query: query, entity: entity)
        }
    }
}

/// A listing's page size where the endpoint's maximum is not documented: the larger one (fewer requests, each of
/// which costs about as much again as parsing its answer) until Genesys refuses it, then the size every known
/// client asks for.
final class PageSizeChoice: Sendable {
    let preferred: Int
    let fallback: Int
    private let wasRefused = Atomic<Bool>(false)

    init(preferred: Int, fallback: Int = EntityListing.defaultPageSize) {
        self.preferred = preferred
        self.fallback = fallback
    }

    var current: Int { wasRefused.load(ordering: .relaxed) ? fallback : preferred }

    func refused() { wasRefused.store(true, ordering: .relaxed) }
}
