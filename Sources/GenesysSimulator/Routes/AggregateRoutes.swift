/// `POST /api/v2/analytics/conversations/aggregates/query`: totals per queue and media type from `AggregateModel`,
/// counting only events the settle delay has made visible.
enum AggregateRoutes {
    static let path = "/api/v2/analytics/conversations/aggregates/query"
    static let permission = "analytics:conversationAggregate:view"
    static let serviceMetrics: Set<String> = [
        "nOffered", "tAnswered", "tAbandon", "tShortAbandon", "nOverSla", "tHandle", "tWait", "oServiceLevel",
        "oServiceTarget",
    ]
    static let knownMetrics = serviceMetrics.union(ConversationMetricModel.definitions.map(\.name))

    /// The groupings answered: by queue and media type, and also by direction.
    enum Grouping: Sendable {
        case media
        case mediaAndDirection
        /// By queue and wrap-up code: handled conversations (`tHandle`'s count) only.
        case wrapUpCode
    }
    /// The longest interval one query may span (as for conversation details).
    static let maxSpanMillis: Int64 = 7 * UTCTimestamp.millisPerDay

    /// A parsed, validated query.
    struct Query: Sendable {
        let interval: String
        let from: Int64
        let to: Int64
        let queueIDs: [String]
        let metrics: [String]
        let grouping: Grouping
    }

    static func query(
        _ request: SimulatorRequest, catalog: QueueCatalog, maxPredicates: Int, visibleUntil: Int64
    ) -> SimulatorResponse {
        let query: Query
        switch parse(request.body, maxPredicates: maxPredicates) {
        case .success(let parsed): query = parsed
        case .failure(let problem): return ErrorBodies.badRequest(problem.message)
        }
        // Events after `visibleUntil` have not arrived yet.
        let from = min(query.from, visibleUntil)
        let to = min(query.to, visibleUntil)
        var results: [[String: Any]] = []
        var seen: Set<String> = []
        for queueID in query.queueIDs where seen.insert(queueID).inserted {
            guard let index = catalog.index(ofQueueID: queueID) else { continue }
            if case .wrapUpCode = query.grouping {
                guard query.metrics.contains("tHandle") else { continue }
                let handled = WrapupCodeModel.handled(queueIndex: index, from: from, to: to)
                for (code, count) in handled.sorted(by: { $0.key < $1.key }) {
                    results.append([
                        "group": ["queueId": queueID, "wrapUpCode": WrapupCodeModel.id(code)],
                        "data": [
                            [
                                "interval": query.interval,
                                "metrics": [["metric": "tHandle", "stats": ["count": count]]],
                            ]
                        ],
                    ])
                }
                continue
            }
            for (media, mediaType) in ObservationModel.mediaTypes.enumerated() {
                let profile = AggregateModel.Profile(queueIndex: index, media: media)
                let start = AggregateModel.cumulative(at: from, profile)
                let end = AggregateModel.cumulative(at: to, profile)
                // Without a direction in groupBy, one group holds every direction's events.
                let groups: [(group: [String: String], metrics: [String])] =
                    switch query.grouping {
                    case .media, .wrapUpCode: [(["queueId": queueID, "mediaType": mediaType], query.metrics)]
                    case .mediaAndDirection:
                        ConversationMetricModel.directions.map { direction in
                            (
                                ["queueId": queueID, "mediaType": mediaType, "direction": direction],
                                query.metrics.filter { Self.direction(of: $0) == direction }
                            )
                        }
                    }
                for (group, names) in groups {
                    let metrics = names.compactMap { metric in
                        datum(metric, start: start, end: end, from: from, to: to, profile: profile)
                    }
                    guard !metrics.isEmpty else { continue }
                    results.append(["group": group, "data": [["interval": query.interval, "metrics": metrics]]])
                }
            }
        }
        // The real API answers `{}` when nothing matched.
        let body: [String: Any] = results.isEmpty ? [:] : ["results": results]
        return .json(200, body)
    }

    /// One metric's entry, or nil when it has nothing to report (count 0, no service-level denominator, or a
    /// group without any traffic for `oServiceTarget`).
    /// The direction of a metric's conversations: outbound for the outbound metrics, inbound for the rest.
    static func direction(of metric: String) -> String {
        ConversationMetricModel.byName[metric]?.definition.direction ?? "inbound"
    }

    private static func datum(
        _ metric: String, start a: AggregateModel.Cumulative, end b: AggregateModel.Cumulative, from: Int64, to: Int64,
        profile: AggregateModel.Profile
    ) -> [String: Any]? {
        if ConversationMetricModel.byName[metric] != nil {
            return conversationDatum(metric, from: from, to: to, profile: profile)
        }
        func count(_ keyPath: KeyPath<AggregateModel.Cumulative, Int64>) -> Int64 {
            b[keyPath: keyPath] - a[keyPath: keyPath]
        }
        func timer(
            _ timer: AggregateModel.Timer, _ keyPath: KeyPath<AggregateModel.Cumulative, Int64>
        ) -> [String: Any]? {
            let first = a[keyPath: keyPath]
            let last = b[keyPath: keyPath]
            guard last > first else { return nil }
            let sum =
                AggregateModel.timerSum(timer, count: last, profile)
                - AggregateModel.timerSum(timer, count: first, profile)
            let range = AggregateModel.timerRange(timer, events: (first + 1)...last, profile)
            return [
                "metric": metric, "stats": ["count": last - first, "sum": sum, "min": range.min, "max": range.max],
            ]
        }
        func counter(_ keyPath: KeyPath<AggregateModel.Cumulative, Int64>) -> [String: Any]? {
            let value = count(keyPath)
            return value > 0 ? ["metric": metric, "stats": ["count": value]] : nil
        }
        let target = AggregateModel.serviceTarget(queueIndex: profile.queueIndex)
        switch metric {
        case "nOffered": return counter(\.offered)
        case "nOverSla": return counter(\.overSla)
        case "tAnswered": return timer(.answer, \.answered)
        case "tAbandon": return timer(.abandon, \.abandoned)
        case "tShortAbandon": return timer(.shortAbandon, \.shortAbandoned)
        case "tHandle": return timer(.handle, \.handled)
        case "tWait": return timer(.wait, \.offered)
        case "oServiceLevel":
            let numerator = count(\.answered) - count(\.overSla)
            let denominator = count(\.answered) + count(\.abandoned) - count(\.shortAbandoned)
            guard denominator > 0 else { return nil }
            return [
                "metric": metric,
                "stats": [
                    "ratio": Double(numerator) / Double(denominator), "numerator": numerator,
                    "denominator": denominator, "target": target,
                ],
            ]
        case "oServiceTarget":
            guard count(\.offered) > 0 else { return nil }
            return ["metric": metric, "stats": ["current": target]]
        default:
            return nil
        }
    }

    /// A metric of `ConversationMetricModel`: its count, with the sum, min and max of a timer; nil for none.
    private static func conversationDatum(
        _ metric: String, from: Int64, to: Int64, profile: AggregateModel.Profile
    ) -> [String: Any]? {
        guard let first = ConversationMetricModel.cumulative(metric, at: from, profile),
            let last = ConversationMetricModel.cumulative(metric, at: max(from, to), profile), last > first
        else { return nil }
        guard metric.hasPrefix("t") else { return ["metric": metric, "stats": ["count": last - first]] }
        let sum =
            ConversationMetricModel.timerSum(metric, count: last, profile)
            - ConversationMetricModel.timerSum(metric, count: first, profile)
        let range = ConversationMetricModel.timerRange(metric, events: (first + 1)...last, profile)
        return [
            "metric": metric, "stats": ["count": last - first, "sum": sum, "min": range.min, "max": range.max],
        ]
    }

    struct Problem: Error {
        let message: String
    }

    static func parse(_ body: [UInt8], maxPredicates: Int) -> Result<Query, Problem> {
        guard let root = JSONBody.decode(body) as? [String: Any] else {
            return .failure(Problem(message: "Unable to parse the request body as a ConversationAggregationQuery."))
        }
        guard let interval = root["interval"] as? String else {
            return .failure(Problem(message: "The interval is required."))
        }
        let ends = interval.split(separator: "/", omittingEmptySubsequences: false)
        guard ends.count == 2, let from = UTCTimestamp.parse(ends[0]), let to = UTCTimestamp.parse(ends[1]) else {
            return .failure(
                Problem(
                    message:
                        "Invalid interval [\(interval)]: expected two ISO-8601 UTC instants between "
                        + "\(UTCTimestamp.years.lowerBound) and \(UTCTimestamp.years.upperBound) separated by '/'."))
        }
        guard from < to else {
            return .failure(Problem(message: "Invalid interval [\(interval)]: the start must be before the end."))
        }
        guard to - from <= maxSpanMillis else {
            return .failure(Problem(message: "Invalid interval [\(interval)]: an interval may span at most 7 days."))
        }
        let grouping: Grouping
        switch (root["groupBy"] as? [String]).map(Set.init) {
        case ["queueId", "mediaType"]: grouping = .media
        case ["queueId", "mediaType", "direction"]: grouping = .mediaAndDirection
        case ["queueId", "wrapUpCode"]: grouping = .wrapUpCode
        default:
            return .failure(
                Problem(
                    message:
                        "Only groupBy [\"queueId\",\"mediaType\"], [\"queueId\",\"mediaType\",\"direction\"] and "
                        + "[\"queueId\",\"wrapUpCode\"] are supported."))
        }
        let queueIDs: [String]
        switch ObservationRoutes.parseQueueFilter(root["filter"], maxPredicates: maxPredicates) {
        case .success(let ids): queueIDs = ids
        case .failure(let problem): return .failure(Problem(message: problem.message))
        }
        guard let metrics = root["metrics"] as? [String], !metrics.isEmpty else {
            return .failure(Problem(message: "At least one metric is required."))
        }
        if let unknown = metrics.first(where: { !knownMetrics.contains($0) }) {
            return .failure(Problem(message: "Invalid metric: \(unknown)."))
        }
        return .success(
            Query(interval: interval, from: from, to: to, queueIDs: queueIDs, metrics: metrics, grouping: grouping))
    }
}

extension AggregateRoutes: SimulatorRouteFile {
    static let routes = [
        SimulatorRoute("POST", path, permission: permission) { core, request, _, _ in
            let (catalog, maxPredicates) = core.state.withLock {
                ($0.catalog, $0.configuration.maxObservationPredicates)
            }
            return query(
                request, catalog: catalog, maxPredicates: maxPredicates, visibleUntil: core.aggregateVisibleUntil())
        }
    ]
}
