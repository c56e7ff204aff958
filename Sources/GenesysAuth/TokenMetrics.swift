import GenesysHTTP
import GenesysTelemetry
import Prometheus
import Synchronization

/// The `genesys_token_*` families. Counters for every reason exist from start-up at 0 so `increase()` works;
/// the age and expiry gauges are computed at scrape time from the current token.
package final class TokenMetrics: Sendable {
    private let store: MetricStore
    private var registry: PrometheusCollectorRegistry { store.registry }
    private let current = Mutex<AccessToken?>(nil)
    private let lastFailure = Mutex<TokenFailureReason?>(nil)

    /// When the current token expires (Unix seconds), for the status page; nil before the first token.
    package var currentExpiryUnix: Double? { current.withLock { $0?.expiresAtUnix } }

    /// Why the last token request failed, until a token is obtained again; for the status page.
    package var lastFailureReason: TokenFailureReason? { lastFailure.withLock { $0 } }

    /// Token metrics on one registry (age and expiry rendered with the rest).
    package convenience init(registry: PrometheusCollectorRegistry, grant: OAuthGrant) {
        self.init(store: MetricStore(registry: registry), grant: grant)
    }

    package init(store: MetricStore, grant: OAuthGrant) {
        self.store = store
        for reason in TokenRefreshReason.allCases { _ = refreshes(grant, reason) }
        for reason in TokenFailureReason.allCases { _ = failures(grant, reason) }
        for op in ["load", "save"] { for result in TokenCacheResult.allCases { _ = cacheOperations(op, result) } }
        _ = duration(grant)
        store.nativeHistograms.register(Self.durationFamily)
    }

    private func refreshes(_ grant: OAuthGrant, _ reason: TokenRefreshReason) -> Counter {
        registry.counter(
            "genesys_token_refreshes_total", "Access tokens obtained, by grant type and why the token was requested.",
            labels: [("grant_type", grant.rawValue), ("reason", reason.rawValue)])
    }

    private func failures(_ grant: OAuthGrant, _ reason: TokenFailureReason) -> Counter {
        registry.counter(
            "genesys_token_refresh_failures_total", "Failed token requests, by grant type and failure reason.",
            labels: [("grant_type", grant.rawValue), ("reason", reason.rawValue)])
    }

    private func cacheOperations(_ op: String, _ result: TokenCacheResult) -> Counter {
        registry.counter(
            "genesys_token_cache_operations_total", "Token cache file loads and saves, by result.",
            labels: [("op", op), ("result", result.rawValue)])
    }

    static let durationFamily = "genesys_token_refresh_duration_seconds"

    private func duration(_ grant: OAuthGrant) -> ValueHistogram {
        registry.histogram(
            Self.durationFamily, "Latency of token requests to the login service.",
            buckets: latencyBuckets, labels: [("grant_type", grant.rawValue)])
    }

    func recordSuccess(_ token: AccessToken, reason: TokenRefreshReason, took: Duration) {
        defer { store.changed() }
        lastFailure.withLock { $0 = nil }
        refreshes(token.grant, reason).increment()
        duration(token.grant).record(took.seconds)
        store.nativeHistograms.observe(
            Self.durationFamily, labels: [("grant_type", token.grant.rawValue)], took.seconds)
        registry.gauge(
            "genesys_token_last_refresh_success_timestamp_seconds", "Unix time of the last successful token request."
        )
        .set(token.obtainedAtUnix + took.seconds)
        tokenChanged(token)
    }

    /// A token that did not come from a request (the cache) becomes current.
    func tokenChanged(_ token: AccessToken) {
        defer { store.changed() }
        current.withLock { $0 = token }
        registry.gauge("genesys_token_lifetime_seconds", "The current access token's lifetime as granted (expires_in).")
            .set(token.lifetime.seconds)
        registry.gauge("genesys_token_expiry_timestamp_seconds", "Unix time at which the current access token expires.")
            .set(token.expiresAtUnix)
        refreshScrapeTimeGauges()
    }

    func recordFailure(grant: OAuthGrant, reason: TokenFailureReason, took: Duration?) {
        defer { store.changed() }
        lastFailure.withLock { $0 = reason }
        failures(grant, reason).increment()
        if let took {
            duration(grant).record(took.seconds)
            store.nativeHistograms.observe(Self.durationFamily, labels: [("grant_type", grant.rawValue)], took.seconds)
        }
    }

    func recordCache(op: String, result: TokenCacheResult) {
        cacheOperations(op, result).increment()
        store.changed()
    }

    /// Sets the age and time-to-expiry gauges for "now"; called before every scrape.
    package func refreshScrapeTimeGauges(now: ContinuousClock.Instant = .now) {
        guard let token = current.withLock({ $0 }) else { return }
        store.liveRegistry.gauge("genesys_token_age_seconds", "Seconds since the current access token was issued.")
            .set((now - token.obtainedAt).seconds)
        store.liveRegistry.gauge(
            "genesys_token_expires_in_seconds",
            "Seconds until the current access token expires (negative once expired)."
        )
        .set(token.remaining(at: now).seconds)
    }
}
