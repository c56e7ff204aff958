/// `GET /api/v2/routing/queues`: page-number paging over the catalog, as a `QueueEntityListing`.
enum QueueRoutes {
    static let path = "/api/v2/routing/queues"
    static let permission = "routing:queue:view"
    static let defaultPageSize = 25

    static func list(_ request: SimulatorRequest, catalog: QueueCatalog, maxPageSize: Int) -> SimulatorResponse {
        guard let pageSize = integer(request.query["pageSize"], default: defaultPageSize),
            (1...max(1, maxPageSize)).contains(pageSize)
        else {
            return ErrorBodies.badRequest(
                "Value [\(request.query["pageSize"] ?? "")] for pageSize is invalid. "
                    + "It must be between 1 and \(maxPageSize).")
        }
        guard let pageNumber = integer(request.query["pageNumber"], default: 1), pageNumber >= 1 else {
            return ErrorBodies.badRequest(
                "Value [\(request.query["pageNumber"] ?? "")] for pageNumber is invalid. "
                    + "It must be greater than 0.")
        }
        let total = catalog.queues.count
        let pageCount = (total + pageSize - 1) / pageSize
        let start = (pageNumber - 1).multipliedReportingOverflow(by: pageSize)
        let entities: [[String: Any]]
        if !start.overflow, start.partialValue < total {
            let end = min(start.partialValue + pageSize, total)
            entities = (start.partialValue..<end).map { queueObject(catalog.queues[$0], index: $0) }
        } else {
            entities = []
        }
        func uri(_ page: Int) -> String { "\(path)?pageSize=\(pageSize)&pageNumber=\(page)" }
        var body: [String: Any] = [
            "entities": entities,
            "pageSize": pageSize,
            "pageNumber": pageNumber,
            "total": total,
            "pageCount": pageCount,
            "firstUri": uri(1),
            "selfUri": uri(pageNumber),
            "lastUri": uri(max(pageCount, 1)),
        ]
        if pageNumber < pageCount { body["nextUri"] = uri(pageNumber + 1) }
        if pageNumber > 1 { body["previousUri"] = uri(pageNumber - 1) }
        return .json(200, body)
    }

    static func queueObject(_ queue: SimulatedQueue, index: Int) -> [String: Any] {
        [
            "id": queue.id,
            "name": queue.name,
            "division": IdentityRoutes.division,
            "memberCount": queue.memberCount,
            "userMemberCount": queue.userMemberCount,
            "joinedMemberCount": queue.joinedMemberCount,
            "mediaSettings": [String: Any](),
            "dateCreated": QueueCatalog.dateCreated(at: index),
            "selfUri": "\(path)/\(queue.id)",
        ]
    }

    /// nil when present but not a decimal integer.
    private static func integer(_ text: String?, default value: Int) -> Int? {
        guard let text else { return value }
        return Int(text)
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
