/// Another OAuth client's API usage today, as the simulated org's usage query reports it.
package struct SimulatedClientUsage: Sendable, Equatable {
    /// The status classes of `ApiUsageRow` (`status200` … `status500`), in `counts` order.
    package static let statusClasses = ["2xx", "3xx", "4xx", "429", "5xx"]

    package var clientID: String
    package var clientName: String
    /// Requests by status class, in `statusClasses` order.
    package var counts: [Int]

    package init(clientID: String, clientName: String, counts: [Int]) {
        self.clientID = clientID
        self.clientName = clientName
        self.counts = counts
    }

    package var requests: Int { counts.reduce(0, +) }

    /// The class of an HTTP status, as Genesys' usage rows count it (429 on its own).
    static func statusClass(_ status: Int) -> Int? {
        switch status {
        case 200..<300: 0
        case 300..<400: 1
        case 429: 3
        case 400..<500: 2
        case 500..<600: 4
        default: nil
        }
    }
}

/// The asynchronous usage queries (`POST /api/v2/usage/query` and the per-client one): each execution's rows are
/// fixed when it starts and its result answers `Running` for `runningFetches` fetches first.
struct UsageBook: Sendable {
    /// Executions remembered at most; the oldest is forgotten first (its result then answers 404).
    static let capacity = 1_000

    struct Execution: Sendable {
        let rows: [SimulatedClientUsage]
        /// Fetches left that answer `Running` (`Int.max`: never complete).
        var runningLeft: Int
        let failed: Bool
        /// The client of a per-client query; nil for the org-wide one.
        let clientID: String?
    }

    /// What one fetch of a result answers.
    enum Fetched: Sendable {
        case running, failed
        case complete([SimulatedClientUsage])
    }

    var otherClients: [SimulatedClientUsage] = [
        SimulatedClientUsage(
            clientID: "6b1c8a2e-1f4d-4c1e-9a57-2d8f0c3b7e01", clientName: "CRM connector",
            counts: [18_240, 0, 42, 0, 3]),
        SimulatedClientUsage(
            clientID: "6b1c8a2e-1f4d-4c1e-9a57-2d8f0c3b7e02", clientName: "WFM sync", counts: [9_115, 0, 12, 37, 0]),
        SimulatedClientUsage(
            clientID: "6b1c8a2e-1f4d-4c1e-9a57-2d8f0c3b7e03", clientName: "Reporting ETL", counts: [2_480, 0, 0, 0, 1]),
    ]
    /// Fetches of a new execution's result that answer `Running` before it completes (`Int.max`: never).
    var runningFetches = 0
    /// New executions answer `Failed`.
    var failing = false
    private var executions: [String: Execution] = [:]
    private var order: [String] = []
    private var started = 0

    mutating func start(rows: [SimulatedClientUsage], clientID: String?) -> String {
        started += 1
        let id = ObservationModel.uuid(started, 0x75)
        if order.count >= Self.capacity { executions[order.removeFirst()] = nil }
        executions[id] = Execution(rows: rows, runningLeft: runningFetches, failed: failing, clientID: clientID)
        order.append(id)
        return id
    }

    /// One fetch of an execution's result (nil for an id this client never started): running fetches count down.
    mutating func fetch(_ id: String, clientID: String?) -> Fetched? {
        guard var execution = executions[id], execution.clientID == clientID else { return nil }
        if execution.failed { return .failed }
        guard execution.runningLeft > 0 else { return .complete(execution.rows) }
        if execution.runningLeft != Int.max { execution.runningLeft -= 1 }
        executions[id] = execution
        return .running
    }
}
