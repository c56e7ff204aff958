/// Users and their analytics: `GET /api/v2/users` (page-number paging, a `UserEntityListing`, `state` filtering),
/// `POST /api/v2/analytics/users/observations/query` (each user's routing status and org presence now, a
/// `UserObservationQueryResponse`) and `POST /api/v2/analytics/users/aggregates/query` grouped by `userId` (time
/// per routing status and presence from `UserModel`, counting only what the settle delay has made visible, a
/// `UserAggregateQueryResponse`).
enum UserRoutes {
    static let listingPath = "/api/v2/users"
    static let listingPermission = "directory:user:view"
    static let observationsPath = "/api/v2/analytics/users/observations/query"
    static let observationsPermission = "analytics:userObservation:view"
    static let aggregatesPath = "/api/v2/analytics/users/aggregates/query"
    static let aggregatesPermission = "analytics:userAggregate:view"
    /// The user observation metrics the simulator answers (the SDK's routing activity metrics about users).
    static let observationMetrics: Set<String> = ["oUserRoutingStatuses", "oUserPresences"]
    /// The SDK's `UserAggregationView.target` values.
    static let aggregateMetrics: Set<String> = ["tAgentRoutingStatus", "tSystemPresence", "tOrganizationPresence"]
    /// The SDK's `User.state` values; the simulated users are all active.
    static let states: Set<String> = ["active", "inactive", "deleted"]

    static func list(_ request: SimulatorRequest, catalog: UserCatalog, maxPageSize: Int) -> SimulatorResponse {
        let state = request.query["state"] ?? "active"
        guard states.contains(state) else {
            return ErrorBodies.badRequest(
                "Value [\(state)] for state is invalid. It must be active, inactive or deleted.")
        }
        let count = state == "active" ? catalog.count : 0
        return EntityListing.page(request, path: listingPath, count: count, maxPageSize: maxPageSize) {
            UserCatalog.object($0)
        }
    }

    /// The distinct known users a query's ids name, in the order asked.
    private static func indices(_ ids: [String]?, catalog: UserCatalog) -> [Int] {
        guard let ids else { return Array(0..<catalog.count) }
        var seen: Set<Int> = []
        return ids.compactMap { catalog.index(ofID: $0) }.filter { seen.insert($0).inserted }
    }

    static func observations(
        _ request: SimulatorRequest, catalog: UserCatalog, maxPredicates: Int, nowMillis: Int64
    ) -> SimulatorResponse {
        guard let root = JSONBody.decode(request.body) as? [String: Any] else {
            return ErrorBodies.badRequest("Unable to parse the request body as a UserObservationQuery.")
        }
        guard let filter = root["filter"] else {
            return ErrorBodies.badRequest("The filter is required and must contain at least one predicate.")
        }
        let ids: [String]
        switch AnalyticsQueryBody.ids(filter, dimension: "userId", maxPredicates: maxPredicates) {
        case .success(let values): ids = values
        case .failure(let problem): return ErrorBodies.badRequest(problem.message)
        }
        guard let metrics = root["metrics"] as? [String], !metrics.isEmpty else {
            return ErrorBodies.badRequest("At least one metric is required.")
        }
        if let unknown = metrics.first(where: { !observationMetrics.contains($0) }) {
            return ErrorBodies.badRequest("Invalid metric: \(unknown).")
        }
        var results: [[String: Any]] = []
        for index in indices(ids, catalog: catalog) {
            let state = catalog.observedState(index: index, at: nowMillis)
            var data: [[String: Any]] = []
            if metrics.contains("oUserRoutingStatuses") {
                data.append(
                    ["metric": "oUserRoutingStatuses", "qualifier": state.routingStatus.status, "stats": ["count": 1]])
            }
            if metrics.contains("oUserPresences") {
                data.append(["metric": "oUserPresences", "qualifier": state.presence.id, "stats": ["count": 1]])
            }
            results.append(["group": ["userId": UserCatalog.id(index)], "data": data])
        }
        return .json(200, ["results": results])
    }

    static func aggregates(
        _ request: SimulatorRequest, catalog: UserCatalog, maxPredicates: Int, visibleUntil: Int64
    ) -> SimulatorResponse {
        let query: AnalyticsQueryBody
        switch AnalyticsQueryBody.parse(
            request.body, model: "UserAggregationQuery", groupBy: [["userId"]], dimension: "userId",
            metrics: aggregateMetrics, maxPredicates: maxPredicates)
        {
        case .success(let parsed): query = parsed
        case .failure(let problem): return ErrorBodies.badRequest(problem.message)
        }
        let from = min(query.from, visibleUntil)
        let to = min(query.to, visibleUntil)
        var results: [[String: Any]] = []
        for index in indices(query.ids, catalog: catalog) {
            let times = UserModel.totals(index: index, from: from, to: to)
            var metrics: [[String: Any]] = []
            func add(_ metric: String, _ byQualifier: [String: Int64], order: [String]) {
                for qualifier in order {
                    guard let millis = byQualifier[qualifier], millis > 0 else { continue }
                    metrics.append(["metric": metric, "qualifier": qualifier, "stats": ["sum": millis]])
                }
            }
            for metric in query.metrics {
                switch metric {
                case "tAgentRoutingStatus":
                    add(metric, times.routingStatusMillis, order: UserModel.routingStatuses)
                case "tSystemPresence":
                    add(metric, times.systemPresenceMillis, order: UserModel.systemPresences)
                case "tOrganizationPresence":
                    let byID = UserModel.organizationPresenceTotals(index: index, from: from, to: to)
                    add(metric, byID, order: byID.keys.sorted())
                default: break
                }
            }
            guard !metrics.isEmpty else { continue }
            results.append([
                "group": ["userId": UserCatalog.id(index)],
                "data": [["interval": query.interval, "metrics": metrics]],
            ])
        }
        // The real API answers `{}` when nothing matched.
        var body: [String: Any] = results.isEmpty ? [:] : ["results": results]
        if !results.isEmpty, query.metrics.contains(where: { $0 != "tAgentRoutingStatus" }) {
            body["systemToOrganizationMappings"] = ObservationModel.organizationPresences
        }
        return .json(200, body)
    }
}

extension UserRoutes: SimulatorRouteFile {
    static let routes = [
        SimulatorRoute("GET", listingPath, permission: listingPermission) { core, request, _, _ in
            let (catalog, maxPageSize) = core.state.withLock { ($0.users, $0.configuration.maxPageSize) }
            return list(request, catalog: catalog, maxPageSize: maxPageSize)
        },
        SimulatorRoute("POST", observationsPath, permission: observationsPermission) { core, request, _, _ in
            let (catalog, maxPredicates) = core.state.withLock {
                ($0.users, $0.configuration.maxObservationPredicates)
            }
            return observations(
                request, catalog: catalog, maxPredicates: maxPredicates, nowMillis: core.userObservationMillis())
        },
        SimulatorRoute("POST", aggregatesPath, permission: aggregatesPermission) { core, request, _, _ in
            let (catalog, maxPredicates) = core.state.withLock {
                ($0.users, $0.configuration.maxObservationPredicates)
            }
            return aggregates(
                request, catalog: catalog, maxPredicates: maxPredicates, visibleUntil: core.aggregateVisibleUntil())
        },
    ]
}
