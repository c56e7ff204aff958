/// Hard limits of the HTTP server, on by default so an exposed port cannot be used to exhaust the exporter.
package struct ServerLimits: Sendable, Equatable {
    /// Requests being answered at once, over all connections; more get 503 (exporter-toolkit's default is 40).
    package var maxRequests: Int
    /// Open connections; one more is closed as soon as it is accepted.
    package var maxConnections: Int
    /// A connection with nothing read or written for this long is closed (this includes a client that stops
    /// reading its answer).
    package var idleTimeout: Duration
    /// A request head that has begun to arrive must be complete within this; else 408 and close (slow clients).
    package var requestHeadTimeout: Duration

    package init(
        maxRequests: Int = 40, maxConnections: Int = 512, idleTimeout: Duration = .seconds(60),
        requestHeadTimeout: Duration = .seconds(10)
    ) {
        self.maxRequests = maxRequests
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.requestHeadTimeout = requestHeadTimeout
    }
}
