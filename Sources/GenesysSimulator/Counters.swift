/// A snapshot of what the simulator has seen, for tests to assert on.
package struct SimulatorCounters: Sendable {
    /// Every request to `/oauth/token`, by `grant_type` (`client_credentials`, `refresh_token`, or `invalid`).
    package var tokenRequests: [String: Int] = [:]
    /// Access tokens issued (by either grant).
    package var tokensIssued: Int = 0
    /// Request path (no query) -> status -> count, for every request except `/oauth/token`.
    /// Faulted replies are included; a reset or hung request is counted under status 0.
    package var apiRequests: [String: [Int: Int]] = [:]
    /// The most `/oauth/token` requests in flight at once (from arrival until the reply is written).
    package var maxConcurrentTokenRequests: Int = 0
    /// API requests whose bearer token had expired (not revoked: expired).
    package var requestsWithExpiredToken: Int = 0
    /// Accepted TCP connections.
    package var connectionsAccepted: Int = 0

    /// Creates empty counters.
    package init() {}

    /// Requests to this path, summed over statuses.
    package func apiRequests(path: String) -> Int {
        apiRequests[path, default: [:]].values.reduce(0, +)
    }

    /// Requests to this path that answered this status.
    package func apiRequests(path: String, status: Int) -> Int {
        apiRequests[path, default: [:]][status, default: 0]
    }
}

/// The live counters plus the gauge behind `maxConcurrentTokenRequests`.
struct CounterRecorder: Sendable {
    private(set) var snapshot = SimulatorCounters()
    private var tokenRequestsInFlight = 0

    mutating func recordTokenRequest(grantType: String) {
        snapshot.tokenRequests[grantType, default: 0] += 1
    }

    mutating func tokenRequestStarted() {
        tokenRequestsInFlight += 1
        snapshot.maxConcurrentTokenRequests = max(snapshot.maxConcurrentTokenRequests, tokenRequestsInFlight)
    }

    mutating func tokenRequestFinished() {
        tokenRequestsInFlight = max(0, tokenRequestsInFlight - 1)
    }

    mutating func recordTokenIssued() {
        snapshot.tokensIssued += 1
    }

    mutating func recordAPIRequest(path: String, status: Int) {
        snapshot.apiRequests[path, default: [:]][status, default: 0] += 1
    }

    mutating func recordExpiredToken() {
        snapshot.requestsWithExpiredToken += 1
    }

    mutating func recordConnection() {
        snapshot.connectionsAccepted += 1
    }

    /// Clears every count; requests still in flight keep counting toward the concurrency gauge.
    mutating func reset() {
        snapshot = SimulatorCounters()
        snapshot.maxConcurrentTokenRequests = tokenRequestsInFlight
    }
}
