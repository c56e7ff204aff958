import FoundationEssentials

/// API usage (`POST /api/v2/usage/query` and `POST /api/v2/oauth/clients/{clientId}/usage/query`, each answered by
/// an execution id whose result is fetched until it is complete). The simulated org's clients are this
/// simulator's own client, whose rows count the API requests it really served today, and `UsageBook.otherClients`.
/// Shapes from the Python SDK's ApiUsageOrganizationQuery, ApiUsageClientQuery, UsageExecutionResult,
/// ApiUsageQueryResult and ApiUsageRow.
enum UsageRoutes {
    static let queryPath = "/api/v2/usage/query"
    static let resultsPath = "/api/v2/usage/query/{executionId}/results"
    static let clientQueryPath = "/api/v2/oauth/clients/{clientId}/usage/query"
    static let clientResultsPath = "/api/v2/oauth/clients/{clientId}/usage/query/results/{executionId}"
    static let organizationPermission = "usage:organization:view"
    static let clientPermission = "usage:client:view"
    static let granularities: Set<String> = ["Day", "Week", "Month"]
    static let metrics: Set<String> = ["Requests", "Status200", "Status300", "Status400", "Status500", "Status429"]
    static let groupBy: Set<String> = ["OAuthClientId", "OrganizationId", "UserId", "TemplateUri", "HttpMethod"]
    static let ownClientName = "genesys-exporter (simulated client)"

    /// A validated query: whether its rows are per client.
    struct Query: Sendable {
        let byClient: Bool
    }

    static func parse(_ body: [UInt8]) -> Result<Query, AggregateRoutes.Problem> {
        guard let root = JSONBody.decode(body) as? [String: Any] else {
            return .failure(.init(message: "Unable to parse the request body as an ApiUsageQuery."))
        }
        guard let interval = root["interval"] as? String else {
            return .failure(.init(message: "The interval is required."))
        }
        let ends = interval.split(separator: "/", omittingEmptySubsequences: false)
        guard ends.count == 2, let from = UTCTimestamp.parse(ends[0]), let to = UTCTimestamp.parse(ends[1]), from < to
        else {
            return .failure(.init(message: "Invalid interval [\(interval)]."))
        }
        if let granularity = root["granularity"], !((granularity as? String).map(granularities.contains) ?? false) {
            return .failure(.init(message: "Invalid granularity: expected Day, Week or Month."))
        }
        if let requested = root["metrics"] {
            guard let names = requested as? [String], names.allSatisfy(metrics.contains) else {
                return .failure(.init(message: "Invalid metrics: expected names of \(metrics.sorted())."))
            }
        }
        var byClient = false
        if let requested = root["groupBy"] {
            guard let names = requested as? [String], names.allSatisfy(groupBy.contains) else {
                return .failure(.init(message: "Invalid groupBy: expected names of \(groupBy.sorted())."))
            }
            byClient = names.contains("OAuthClientId")
        }
        return .success(Query(byClient: byClient))
    }

    /// This simulator's own client's requests by status class: every API request it answered (token requests
    /// are the login service's, not the API's), and the usage query being answered, so the client that asks is
    /// always among the clients that called today.
    static func ownUsage(_ state: SimulatorState) -> SimulatedClientUsage {
        var counts = [1, 0, 0, 0, 0]
        for statuses in state.counters.snapshot.apiRequests.values {
            for (status, count) in statuses {
                if let index = SimulatedClientUsage.statusClass(status) { counts[index] += count }
            }
        }
        return SimulatedClientUsage(
            clientID: state.configuration.clientID, clientName: ownClientName, counts: counts)
    }

    /// Starts an execution over `rows` (all of them summed into one row unless grouped by client).
    static func start(
        _ request: SimulatorRequest, core: SimulatorCore, clientID: String?
    ) -> SimulatorResponse {
        let query: Query
        switch parse(request.body) {
        case .success(let parsed): query = parsed
        case .failure(let problem): return ErrorBodies.badRequest(problem.message)
        }
        let (id, resultsURI): (String, String) = core.state.withLock { state in
            let everyone = [ownUsage(state)] + state.usage.otherClients
            var rows: [SimulatedClientUsage]
            if let clientID {
                rows = everyone.filter { $0.clientID == clientID }
            } else if query.byClient {
                rows = everyone.filter { $0.requests > 0 }
            } else {
                let sums = SimulatedClientUsage.statusClasses.indices.map { index in
                    everyone.map { $0.counts[index] }.reduce(0, +)
                }
                rows = [SimulatedClientUsage(clientID: "", clientName: "", counts: sums)]
            }
            if !query.byClient && clientID != nil {
                rows = rows.map { SimulatedClientUsage(clientID: "", clientName: "", counts: $0.counts) }
            }
            let id = state.usage.start(rows: rows, clientID: clientID)
            let uri =
                clientID.map { "/api/v2/oauth/clients/\($0)/usage/query/results/\(id)" }
                ?? "/api/v2/usage/query/\(id)/results"
            return (id, uri)
        }
        return .json(202, ["executionId": id, "resultsUri": resultsURI])
    }

    static func result(
        core: SimulatorCore, executionID: String, clientID: String?, date: Int64
    ) -> SimulatorResponse {
        let fetched = core.state.withLock { $0.usage.fetch(executionID, clientID: clientID) }
        switch fetched {
        case nil:
            return ErrorBodies.api(404, code: "not.found", message: "The execution \(executionID) was not found.")
        case .running:
            return .json(200, ["queryStatus": "Running"])
        case .failed:
            return .json(200, ["queryStatus": "Failed"])
        case .complete(let rows):
            let results: [[String: Any]] = rows.map { row in
                var object: [String: Any] = [
                    "requests": row.requests, "status200": row.counts[0], "status300": row.counts[1],
                    "status400": row.counts[2], "status429": row.counts[3], "status500": row.counts[4],
                    "date": UTCTimestamp.format(millis: date),
                ]
                if !row.clientID.isEmpty {
                    object["clientId"] = row.clientID
                    object["clientName"] = row.clientName
                }
                return object
            }
            return .json(200, ["results": results, "queryStatus": "Complete"])
        }
    }

    /// The start of today (UTC) on the simulator's wall clock: the rows' `date`.
    static func today(_ core: SimulatorCore) -> Int64 {
        Int64(core.wallNow() * 1000) / UTCTimestamp.millisPerDay * UTCTimestamp.millisPerDay
    }
}

extension UsageRoutes: SimulatorRouteFile {
    static let routes = [
        SimulatorRoute("POST", queryPath, permission: organizationPermission) { core, request, _, _ in
            start(request, core: core, clientID: nil)
        },
        SimulatorRoute("GET", resultsPath, permission: organizationPermission) { core, _, _, parameters in
            result(core: core, executionID: parameters["executionId"] ?? "", clientID: nil, date: today(core))
        },
        SimulatorRoute("POST", clientQueryPath, permission: clientPermission) { core, request, _, parameters in
            start(request, core: core, clientID: parameters["clientId"] ?? "")
        },
        SimulatorRoute("GET", clientResultsPath, permission: clientPermission) { core, _, _, parameters in
            result(
                core: core, executionID: parameters["executionId"] ?? "", clientID: parameters["clientId"] ?? "",
                date: today(core))
        },
    ]
}
