/// What the landing page shows, read from the state the collectors and token providers already keep: no request to
/// Genesys, no secret (there is no field that could hold one).
package struct StatusSnapshot: Sendable {
    package struct Collector: Sendable {
        package var name: String
        /// Unix seconds; nil before the first success.
        package var lastSuccess: Double?
        package var lastFailure: Double?
        /// The last failure's reason (already cut to a safe excerpt by the collector), kept after a success.
        package var lastFailureReason: String?
        /// When the next poll is due (Unix seconds); nil while a poll runs.
        package var nextPoll: Double?
        /// Whether the last poll succeeded; nil before the first poll ends.
        package var up: Bool?

        package init(name: String) { self.name = name }
    }

    package struct Org: Sendable {
        /// The `org` label; nil for the one org of a process without `--config.file`.
        package var name: String?
        package var apiBaseURL: String
        package var tokenExpiry: Double?
        package var tokenFailureReason: String?
        package var collectors: [Collector]

        package init(
            name: String?, apiBaseURL: String, tokenExpiry: Double?, tokenFailureReason: String?,
            collectors: [Collector]
        ) {
            self.name = name
            self.apiBaseURL = apiBaseURL
            self.tokenExpiry = tokenExpiry
            self.tokenFailureReason = tokenFailureReason
            self.collectors = collectors
        }
    }

    package var orgs: [Org]
    /// Unix seconds when the snapshot was taken.
    package var now: Double

    package init(orgs: [Org], now: Double) {
        self.orgs = orgs
        self.now = now
    }
}
