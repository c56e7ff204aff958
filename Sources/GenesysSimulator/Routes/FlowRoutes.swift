/// Architect flows: `GET /api/v2/flows` (page-number paging like the queue listing, a `FlowEntityListing`) and
/// `POST /api/v2/analytics/flows/aggregates/query` grouped by `flowId`, totals from `FlowModel` counting only events
/// the settle delay has made visible (a `FlowAggregateQueryResponse`).
enum FlowRoutes {
    static let listingPath = "/api/v2/flows"
    static let listingPermission = "architect:flow:view"
    static let aggregatesPath = "/api/v2/analytics/flows/aggregates/query"
    static let aggregatesPermission = "analytics:flowAggregate:view"
    /// The metrics `FlowModel` counts (the SDK's `FlowAggregationView.target` has a few more).
    static let knownMetrics: Set<String> = [
        "nFlow", "nFlowOutcome", "nFlowOutcomeFailed", "tFlowDisconnect", "tFlowExit",
    ]

    static func query(
        _ request: SimulatorRequest, catalog: FlowCatalog, maxPredicates: Int, visibleUntil: Int64
    ) -> SimulatorResponse {
        let query: AnalyticsQueryBody
        switch AnalyticsQueryBody.parse(
            request.body, model: "FlowAggregationQuery", groupBy: [["flowId"]], dimension: "flowId",
            metrics: knownMetrics, maxPredicates: maxPredicates)
        {
        case .success(let parsed): query = parsed
        case .failure(let problem): return ErrorBodies.badRequest(problem.message)
        }
        let from = min(query.from, visibleUntil)
        let to = min(query.to, visibleUntil)
        let indices: [Int]
        if let ids = query.ids {
            var seen: Set<Int> = []
            indices = ids.compactMap { catalog.index(ofID: $0) }.filter { seen.insert($0).inserted }
        } else {
            indices = Array(0..<catalog.count)
        }
        var results: [[String: Any]] = []
        for index in indices {
            let profile = FlowModel.Profile(index: index)
            let a = FlowModel.cumulative(at: from, profile)
            let b = FlowModel.cumulative(at: to, profile)
            let metrics: [[String: Any]] = query.metrics.compactMap { metric in
                func counter(_ keyPath: KeyPath<FlowModel.Cumulative, Int64>) -> [String: Any]? {
                    let count = b[keyPath: keyPath] - a[keyPath: keyPath]
                    return count > 0 ? ["metric": metric, "stats": ["count": count]] : nil
                }
                func timer(
                    _ timer: FlowModel.Timer, _ keyPath: KeyPath<FlowModel.Cumulative, Int64>
                ) -> [String: Any]? {
                    let count = b[keyPath: keyPath] - a[keyPath: keyPath]
                    guard count > 0 else { return nil }
                    let sum =
                        FlowModel.timerSum(timer, count: b[keyPath: keyPath], profile)
                        - FlowModel.timerSum(timer, count: a[keyPath: keyPath], profile)
                    return ["metric": metric, "stats": ["count": count, "sum": sum]]
                }
                switch metric {
                case "nFlow": return counter(\.entered)
                case "nFlowOutcome": return counter(\.outcomes)
                case "nFlowOutcomeFailed": return counter(\.failedOutcomes)
                case "tFlowDisconnect": return timer(.disconnect, \.disconnects)
                case "tFlowExit": return timer(.exit, \.exits)
                default: return nil
                }
            }
            guard !metrics.isEmpty else { continue }
            results.append([
                "group": ["flowId": FlowCatalog.id(index)],
                "data": [["interval": query.interval, "metrics": metrics]],
            ])
        }
        // The real API answers `{}` when nothing matched.
        let body: [String: Any] = results.isEmpty ? [:] : ["results": results]
        return .json(200, body)
    }
}

extension FlowRoutes: SimulatorRouteFile {
    static let routes = [
        SimulatorRoute("GET", listingPath, permission: listingPermission) { core, request, _, _ in
            let (catalog, maxPageSize) = core.state.withLock { ($0.flows, $0.configuration.maxPageSize) }
            return EntityListing.page(request, path: listingPath, count: catalog.count, maxPageSize: maxPageSize) {
                catalog.object($0)
            }
        },
        SimulatorRoute("POST", aggregatesPath, permission: aggregatesPermission) { core, request, _, _ in
            let (catalog, maxPredicates) = core.state.withLock {
                ($0.flows, $0.configuration.maxObservationPredicates)
            }
            return query(
                request, catalog: catalog, maxPredicates: maxPredicates, visibleUntil: core.aggregateVisibleUntil())
        },
    ]
}
