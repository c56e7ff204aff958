/// Data actions: `GET /api/v2/integrations/actions` (page-number paging, an `ActionEntityListing`) and
/// `POST /api/v2/analytics/actions/aggregates/query` grouped by `actionId` (and `errorType`), `tTotalExecution`
/// from `ActionModel` counting only events the settle delay has made visible (an `ActionAggregateQueryResponse`).
/// Successful executions form the group without an `errorType`.
enum ActionRoutes {
    static let listingPath = "/api/v2/integrations/actions"
    static let listingPermission = "integrations:action:view"
    static let aggregatesPath = "/api/v2/analytics/actions/aggregates/query"
    static let aggregatesPermission = "analytics:actionAggregate:view"
    static let knownMetrics: Set<String> = ["tTotalExecution"]

    static func query(
        _ request: SimulatorRequest, catalog: ActionCatalog, maxPredicates: Int, visibleUntil: Int64
    ) -> SimulatorResponse {
        let query: AnalyticsQueryBody
        switch AnalyticsQueryBody.parse(
            request.body, model: "ActionAggregationQuery", groupBy: [["actionId"], ["actionId", "errorType"]],
            dimension: "actionId", metrics: knownMetrics, maxPredicates: maxPredicates)
        {
        case .success(let parsed): query = parsed
        case .failure(let problem): return ErrorBodies.badRequest(problem.message)
        }
        let byErrorType = query.groupBy.contains("errorType")
        let from = min(query.from, visibleUntil)
        let to = min(query.to, visibleUntil)
        let indices: [Int]
        if let ids = query.ids {
            var seen: Set<Int> = []
            indices = ids.compactMap { catalog.index(ofID: $0) }.filter { seen.insert($0).inserted }
        } else {
            indices = Array(0..<catalog.count)
        }
        let types = catalog.errorTypes
        var results: [[String: Any]] = []
        for index in indices {
            let profile = ActionModel.Profile(index: index)
            let a = ActionModel.cumulative(at: from, errorTypes: types.count, profile)
            let b = ActionModel.cumulative(at: to, errorTypes: types.count, profile)
            // Per group: (errorType or nil, count, sum); without errorType in groupBy one group sums them all.
            var groups: [(errorType: String?, count: Int64, sum: Int64)] = []
            for group in a.indices {
                let count = b[group] - a[group]
                let sum =
                    ActionModel.timerSum(group: group, count: b[group], profile)
                    - ActionModel.timerSum(group: group, count: a[group], profile)
                groups.append((group == 0 ? nil : types[group - 1], count, sum))
            }
            if !byErrorType {
                groups = [(nil, groups.reduce(0) { $0 + $1.count }, groups.reduce(0) { $0 + $1.sum })]
            }
            for group in groups where group.count > 0 {
                var key: [String: String] = ["actionId": ActionCatalog.id(index)]
                if let errorType = group.errorType { key["errorType"] = errorType }
                results.append([
                    "group": key,
                    "data": [
                        [
                            "interval": query.interval,
                            "metrics": [
                                ["metric": "tTotalExecution", "stats": ["count": group.count, "sum": group.sum]]
                            ],
                        ]
                    ],
                ])
            }
        }
        let body: [String: Any] = results.isEmpty ? [:] : ["results": results]
        return .json(200, body)
    }
}

extension ActionRoutes: SimulatorRouteFile {
    static let routes = [
        SimulatorRoute("GET", listingPath, permission: listingPermission) { core, request, _, _ in
            let (count, maxPageSize) = core.state.withLock {
                ($0.actions.count, $0.actions.maxPageSize ?? $0.configuration.maxPageSize)
            }
            return EntityListing.page(request, path: listingPath, count: count, maxPageSize: maxPageSize) {
                ActionCatalog.object($0)
            }
        },
        SimulatorRoute("POST", aggregatesPath, permission: aggregatesPermission) { core, request, _, _ in
            let (catalog, maxPredicates) = core.state.withLock {
                ($0.actions, $0.configuration.maxObservationPredicates)
            }
            return query(
                request, catalog: catalog, maxPredicates: maxPredicates, visibleUntil: core.aggregateVisibleUntil())
        },
    ]
}
