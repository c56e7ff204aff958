import GenesysJSON

/// The api_usage collector's answers, read with the fields it uses (shapes from the Python SDK's
/// UsageExecutionResult, ApiUsageQueryResult and ApiUsageRow).
enum APIUsageLimits {
    /// Requests of one client in one day: far above any real rate limit (300 a minute is 432,000 a day), far below
    /// anything that overflows when summed.
    static let mostRequests = 1_000_000_000_000
    /// Rows read from one result; the rest are ignored (an org has tens of OAuth clients, not thousands).
    static let mostRows = 10_000
}

/// `POST /api/v2/usage/query`'s answer: the id of the execution whose results are fetched next.
struct UsageExecution: Sendable, Equatable {
    let executionID: String

    init(_ json: JSONCursor) throws(JSONDecodingError) {
        executionID = try json.string("executionId")
        guard !executionID.isEmpty, executionID.utf8.count <= 128 else {
            throw .invalidValue(path: "executionId", reason: "not an execution id (1 to 128 bytes)")
        }
    }
}

/// `GET /api/v2/usage/query/{executionId}/results`: still running, failed, or complete with its rows.
struct UsageQueryResult: Sendable, Equatable {
    enum Status: Sendable, Equatable {
        case complete, running, failed
        /// A status this exporter does not know: treated as not finished, so the bounded wait decides.
        case other
    }

    let status: Status
    let rows: [UsageRow]

    init(_ json: JSONCursor) throws(JSONDecodingError) {
        switch try json.optionalString("queryStatus") {
        case "Complete": status = .complete
        case "Running": status = .running
        case "Failed": status = .failed
        case nil where try json.optionalField("results") != nil: status = .complete
        default: status = .other
        }
        rows = try (json.optionalField("results")?.elements() ?? []).prefix(APIUsageLimits.mostRows).map {
            element throws(JSONDecodingError) in try UsageRow(element)
        }
    }
}

/// One `ApiUsageRow`: a client's requests, in all and by the status classes Genesys counts.
struct UsageRow: Sendable, Equatable {
    /// The classes in `statusXXX` fields, in label order, with their JSON keys.
    static let statusClasses = [
        ("2xx", "status200"), ("3xx", "status300"), ("4xx", "status400"), ("429", "status429"), ("5xx", "status500"),
    ]

    let clientID: String
    let clientName: String
    let requests: Int
    /// Requests by status class, in `statusClasses` order (0 when Genesys leaves a class out).
    let byStatus: [Int]

    init(_ json: JSONCursor) throws(JSONDecodingError) {
        clientID = try json.optionalString("clientId") ?? ""
        clientName = try json.optionalString("clientName") ?? ""
        requests = try json.optionalField("requests")?.int(in: 0...APIUsageLimits.mostRequests) ?? 0
        var byStatus: [Int] = []
        for (_, key) in Self.statusClasses {
            byStatus.append(try json.optionalField(key)?.int(in: 0...APIUsageLimits.mostRequests) ?? 0)
        }
        self.byStatus = byStatus
    }

    init(clientID: String, clientName: String, requests: Int, byStatus: [Int]) {
        self.clientID = clientID
        self.clientName = clientName
        self.requests = requests
        self.byStatus = byStatus
    }
}
