/// `GET /api/v2/routing/queues`: page-number paging over the catalog, as a `QueueEntityListing`.
enum QueueRoutes {
    static let path = "/api/v2/routing/queues"
    static let permission = "routing:queue:view"

    static func list(_ request: SimulatorRequest, catalog: QueueCatalog, maxPageSize: Int) -> SimulatorResponse {
        EntityListing.page(request, path: path, count: catalog.queues.count, maxPageSize: maxPageSize) {
            queueObject(catalog.queues[$0], index: $0)
        }
    }

    static func queueObject(_ queue: SimulatedQueue, index: Int) -> [String: Any] {
        [
            "id": queue.id,
            "name": queue.name,
            "division": DivisionCatalog.object(DivisionCatalog.division(index)),
            "memberCount": queue.memberCount,
            "userMemberCount": queue.userMemberCount,
            "joinedMemberCount": queue.joinedMemberCount,
            "mediaSettings": [String: Any](),
            "dateCreated": QueueCatalog.dateCreated(at: index),
            "selfUri": "\(path)/\(queue.id)",
        ]
    }
}

extension QueueRoutes: SimulatorRouteFile {
    static let routes = [
        SimulatorRoute("GET", path, permission: permission) { core, request, _, _ in
            let (catalog, maxPageSize) = core.state.withLock { ($0.catalog, $0.configuration.maxPageSize) }
            return list(request, catalog: catalog, maxPageSize: maxPageSize)
        }
    ]
}
