import FoundationEssentials
import Glibc

/// One request as the simulator received it: when, where, and which fault (if any) it met.
package struct SimulatorRequestRecord: Sendable {
    package let method: String
    /// The path without the query; a route template (`…/{queueId}/…`) for routes that have one.
    package let path: String
    package let query: [String: String]
    /// Arrival on the monotonic clock, for measuring gaps between requests.
    package let receivedAt: ContinuousClock.Instant
    /// Arrival on the wall clock, for comparing with HTTP-dates.
    package let receivedAtDate: Date
    /// The injected fault this request met, nil when it was served normally.
    package let fault: SimulatorFault?
    /// The client's `User-Agent`, nil without one.
    package let userAgent: String?
    /// Whether it carried an `Authorization` header (its value is never kept).
    package let hadAuthorization: Bool
}

/// One API request as it arrived, body included, for `SimulatorConfiguration.requestObserver`.
package struct ObservedRequest: Sendable {
    package let method: String
    /// The path as sent, without the query (not the route template).
    package let path: String
    package let query: [String: String]
    /// The client's `User-Agent`, nil without one.
    package let userAgent: String?
    package let body: [UInt8]
}

/// The most recent requests in arrival order, bounded so a long demo run cannot grow it without limit.
struct RequestLog: Sendable {
    static let capacity = 10_000
    private(set) var records: [SimulatorRequestRecord] = []

    mutating func record(_ request: SimulatorRequest, path: String, fault: SimulatorFault?) {
        if records.count >= Self.capacity { records.removeFirst(records.count - Self.capacity + 1) }
        records.append(
            SimulatorRequestRecord(
                method: request.method, path: path, query: request.query,
                receivedAt: .now, receivedAtDate: Date(), fault: fault,
                userAgent: request.headers.first(name: "User-Agent"),
                hadAuthorization: request.headers.contains(name: "Authorization")))
    }

    mutating func clear() {
        records.removeAll()
    }
}
