/// `POST /api/v2/analytics/queues/observations/query`.
enum ObservationRoutes {
    static let path = "/api/v2/analytics/queues/observations/query"
    static let permission = "analytics:queueObservation:view"
    static let knownMetrics = ObservationModel.mediaMetrics.union(ObservationModel.userMetrics)

    /// A parsed, validated query.
    struct Query: Sendable {
        let queueIDs: [String]
        let metrics: [String]
        /// Media metrics whose per-conversation `observations` are wanted (only `oWaiting` has any).
        var detailMetrics: [String] = []
    }

    static func query(
        _ request: SimulatorRequest,
        catalog: QueueCatalog,
        reading: ObservationReading,
        maxPredicates: Int
    ) -> SimulatorResponse {
        let (model, slot) = (reading.model, reading.slot)
        let query: Query
        switch parse(request.body, maxPredicates: maxPredicates) {
        case .success(let parsed): query = parsed
        case .failure(let problem): return ErrorBodies.badRequest(problem.message)
        }
        let mediaMetrics = query.metrics.filter { ObservationModel.mediaMetrics.contains($0) }
        let wantsOnQueue = query.metrics.contains("oOnQueueUsers")
        let wantsMembers = query.metrics.contains("oMemberUsers")
        let wantsRoutingStatuses = query.metrics.contains("oUserRoutingStatuses")
        let wantsPresences = query.metrics.contains("oUserPresences")
        let waitingDetail = query.detailMetrics.contains("oWaiting")
        var results: [[String: Any]] = []
        var seen: Set<String> = []
        for queueID in query.queueIDs where seen.insert(queueID).inserted {
            guard let index = catalog.index(ofQueueID: queueID) else { continue }
            let queue = catalog.queues[index]
            if !mediaMetrics.isEmpty {
                for mediaType in ObservationModel.mediaTypes {
                    let data = mediaMetrics.map { metric in
                        let count = reading.mediaValue(
                            queueIndex: index, queueID: queueID, mediaType: mediaType, metric: metric)
                        var item = datum(metric, count: count)
                        if metric == "oWaiting", waitingDetail, count > 0 {
                            item["observations"] = reading.waitingConversations(
                                queueIndex: index, queueID: queueID, mediaType: mediaType
                            ).map(observation)
                        }
                        return item
                    }
                    results.append(["group": ["queueId": queueID, "mediaType": mediaType], "data": data])
                }
            }
            if wantsOnQueue || wantsMembers || wantsRoutingStatuses || wantsPresences {
                var data: [[String: Any]] = []
                if wantsOnQueue {
                    for (qualifier, count) in model.onQueueUsers(queue: queue, queueIndex: index, slot: slot) {
                        data.append(datum("oOnQueueUsers", count: count, qualifier: qualifier))
                    }
                }
                if wantsMembers {
                    data.append(datum("oMemberUsers", count: model.memberUsers(queue: queue)))
                }
                if wantsRoutingStatuses {
                    for (qualifier, count) in model.routingStatuses(queue: queue, queueIndex: index, slot: slot) {
                        data.append(datum("oUserRoutingStatuses", count: count, qualifier: qualifier))
                    }
                }
                if wantsPresences {
                    for (presenceID, count) in model.organizationPresenceCounts(
                        queue: queue, queueIndex: index, slot: slot)
                    {
                        data.append(datum("oUserPresences", count: count, qualifier: presenceID))
                    }
                }
                results.append(["group": ["queueId": queueID], "data": data])
            }
        }
        var body: [String: Any] = ["results": results]
        if wantsPresences { body["systemToOrganizationMappings"] = ObservationModel.organizationPresences }
        return .json(200, body)
    }

    private static func observation(_ conversation: ObservationModel.WaitingConversation) -> [String: Any] {
        [
            "observationDate": UTCTimestamp.format(millis: conversation.observationMillis),
            "conversationId": conversation.conversationID,
            "sessionId": conversation.sessionID,
            "routingPriority": 0,
            "requestedRoutingSkillIds": [String](),
        ]
    }

    private static func datum(_ metric: String, count: Int, qualifier: String? = nil) -> [String: Any] {
        var item: [String: Any] = ["metric": metric, "stats": ["count": count]]
        if let qualifier { item["qualifier"] = qualifier }
        return item
    }

    struct Problem: Error {
        let message: String
    }

    static func parse(_ body: [UInt8], maxPredicates: Int) -> Result<Query, Problem> {
        guard let root = JSONBody.decode(body) as? [String: Any] else {
            return .failure(Problem(message: "Unable to parse the request body as a QueueObservationQuery."))
        }
        let queueIDs: [String]
        switch parseQueueFilter(root["filter"], maxPredicates: maxPredicates) {
        case .success(let ids): queueIDs = ids
        case .failure(let problem): return .failure(problem)
        }
        guard let metrics = root["metrics"] as? [String], !metrics.isEmpty else {
            return .failure(Problem(message: "At least one metric is required."))
        }
        if let unknown = metrics.first(where: { !knownMetrics.contains($0) }) {
            return .failure(Problem(message: "Invalid metric: \(unknown)."))
        }
        var detailMetrics: [String] = []
        if let detail = root["detailMetrics"] {
            guard let names = detail as? [String] else {
                return .failure(Problem(message: "detailMetrics must be a list of metric names."))
            }
            if let unknown = names.first(where: { !ObservationModel.mediaMetrics.contains($0) }) {
                return .failure(Problem(message: "Invalid detail metric: \(unknown)."))
            }
            detailMetrics = names
        }
        return .success(Query(queueIDs: queueIDs, metrics: metrics, detailMetrics: detailMetrics))
    }

    /// The queue ids of a filter made of `queueId` `matches` predicates (1...maxPredicates of them), as the
    /// observation and aggregate queries share it.
    static func parseQueueFilter(_ value: Any?, maxPredicates: Int) -> Result<[String], Problem> {
        guard let filter = value as? [String: Any],
            let type = filter["type"] as? String, type == "or" || type == "and",
            let predicates = filter["predicates"] as? [[String: Any]], !predicates.isEmpty
        else {
            return .failure(Problem(message: "The filter is required and must contain at least one predicate."))
        }
        guard predicates.count <= maxPredicates else {
            return .failure(
                Problem(
                    message:
                        "The filter contains \(predicates.count) predicates; the maximum allowed is \(maxPredicates)."))
        }
        var queueIDs: [String] = []
        for predicate in predicates {
            guard (predicate["type"] as? String ?? "dimension") == "dimension",
                predicate["dimension"] as? String == "queueId",
                (predicate["operator"] as? String ?? "matches") == "matches",
                let value = predicate["value"] as? String
            else {
                return .failure(
                    Problem(message: "Only queueId dimension predicates with operator matches are supported."))
            }
            queueIDs.append(value)
        }
        return .success(queueIDs)
    }
}

extension ObservationRoutes: SimulatorRouteFile {
    static let routes = [
        SimulatorRoute("POST", path, permission: permission) { core, request, _, _ in
            let (catalog, overrides, maxPredicates) = core.state.withLock {
                ($0.catalog, $0.observationOverrides, $0.configuration.maxObservationPredicates)
            }
            return query(
                request, catalog: catalog, reading: core.observationReading(overrides),
                maxPredicates: maxPredicates)
        }
    ]
}
