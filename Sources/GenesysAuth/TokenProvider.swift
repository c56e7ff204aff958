import FoundationEssentials
import GenesysBase
import GenesysHTTP
import Glibc
import Logging
import Synchronization

/// Settings for one org's token.
package struct TokenProviderConfiguration: Sendable {
    package var hosts: GenesysHosts
    package var clientID: String
    package var clientSecret: Secret
    package var grant: OAuthGrant
    /// The starting refresh token (refresh_token grant); a newer one in the cache file wins.
    package var refreshToken: Secret?
    /// Renew when less than this is left, but never earlier than 80% of a token's lifetime.
    package var refreshMargin: Duration
    package var backoffInitial: Duration
    package var backoffCap: Duration
    package var cacheFile: String?
    package var requestTimeout: Duration
    /// No two token requests start closer together than this, so a tiny `expires_in` or a storm of
    /// 401s can never turn into back-to-back token requests.
    package var minimumRequestGap: Duration

    package init(
        hosts: GenesysHosts, clientID: String, clientSecret: Secret, grant: OAuthGrant = .clientCredentials,
        refreshToken: Secret? = nil, refreshMargin: Duration = .seconds(300), backoffInitial: Duration = .seconds(1),
        backoffCap: Duration = .seconds(300), cacheFile: String? = nil, requestTimeout: Duration = .seconds(15),
        minimumRequestGap: Duration = .seconds(1)
    ) {
        self.hosts = hosts
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.grant = grant
        self.refreshToken = refreshToken
        self.refreshMargin = refreshMargin
        self.backoffInitial = backoffInitial
        self.backoffCap = backoffCap
        self.cacheFile = cacheFile
        self.requestTimeout = requestTimeout
        self.minimumRequestGap = minimumRequestGap
    }
}

/// Holds one org's access token and keeps it valid: renews it before expiry (on use and on a
/// background timer), replaces it after a 401, lets concurrent callers share one token request,
/// and backs off after failures so a bad secret never becomes a hot loop.
package actor TokenProvider {
    package nonisolated let configuration: TokenProviderConfiguration
    private let endpoint: TokenEndpoint
    private let metrics: TokenMetrics?
    private let logger: Logger
    private let cache: TokenCache?
    private let fingerprint: String
    private let clock: any ExporterClock

    private var token: AccessToken?
    private var refreshAt: ContinuousClock.Instant?
    private var invalidated = false
    private var refreshToken: Secret?
    private var inflight: Task<Result<AccessToken, TokenError>, Never>?
    private var backoff: Backoff
    /// No token request starts before this: the backoff after a failure, the minimum gap after a success.
    private var nextAttemptAt: ContinuousClock.Instant?
    private var cacheWriteWarned = false
    /// Why the rotated refresh token could not be saved (refresh_token grant); readiness reports it.
    private let persistence = Mutex<String?>(nil)
    /// The last token request's error, cleared by a success.
    package private(set) var lastError: TokenError?

    package init(
        configuration: TokenProviderConfiguration, http: HTTPClient, metrics: TokenMetrics? = nil,
        logger: Logger = Logger(label: "genesys.token"), clock: any ExporterClock = SystemClock()
    ) {
        self.configuration = configuration
        self.clock = clock
        self.endpoint = TokenEndpoint(
            tokenURL: configuration.hosts.tokenURL, clientID: configuration.clientID,
            clientSecret: configuration.clientSecret, http: http, timeout: configuration.requestTimeout, clock: clock)
        self.metrics = metrics
        self.logger = logger
        self.cache = configuration.cacheFile.map(TokenCache.init(path:))
        self.fingerprint = TokenCache.fingerprint(
            clientID: configuration.clientID, loginBaseURL: configuration.hosts.loginBaseURL)
        self.backoff = Backoff(initial: configuration.backoffInitial, cap: configuration.backoffCap)
        self.refreshToken = configuration.refreshToken
        if let cache {
            let loaded = Self.loadCache(
                cache, configuration: configuration, fingerprint: fingerprint, metrics: metrics, logger: logger,
                clock: clock)
            if let cachedRefreshToken = loaded.refreshToken { self.refreshToken = cachedRefreshToken }
            if let cachedToken = loaded.token {
                self.token = cachedToken
                self.refreshAt = Self.refreshDeadline(for: cachedToken, margin: configuration.refreshMargin)
            }
        }
    }

    /// Set while the rotated refresh token is only in memory because the cache file cannot be written:
    /// a restart would then send a spent refresh token. Nil when all is saved.
    package nonisolated var persistenceProblem: String? { persistence.withLock { $0 } }

    /// The current token, or nil before the first success.
    package var currentToken: AccessToken? { token }

    /// A token that is not within the refresh margin of expiry, requesting one first when needed.
    package func validToken() async throws(TokenError) -> AccessToken {
        let now = clock.now
        if let token, !invalidated, let refreshAt, now < refreshAt { return token }
        let reason: TokenRefreshReason =
            if let token { invalidated ? .unauthorized : (token.isExpired(at: now) ? .expired : .scheduled) } else {
                .initial
            }
        return try await refresh(reason: reason)
    }

    /// Marks `rejected` as refused by the API (401). Only the current token is affected, so many
    /// callers reporting the same token cause one renewal.
    package func invalidate(_ rejected: AccessToken) {
        guard let token, token.value == rejected.value else { return }
        invalidated = true
    }

    /// Renews the token shortly before expiry even when nobody asks for it; runs until cancelled.
    package func runScheduledRefresh() async {
        while !Task.isCancelled {
            let now = clock.now
            var wakeAt = (token == nil || invalidated) ? now : (refreshAt ?? now)
            if let nextAttemptAt, nextAttemptAt > wakeAt { wakeAt = nextAttemptAt }
            if wakeAt > now {
                do { try await clock.sleep(until: wakeAt) } catch { return }
                continue
            }
            _ = try? await validToken()
        }
    }

    /// Writes the current token to the cache file (at shutdown).
    package func flushCache() {
        if let token { saveCache(token) }
    }

    private func refresh(reason: TokenRefreshReason) async throws(TokenError) -> AccessToken {
        let outcome: Result<AccessToken, TokenError>
        if let inflight {
            outcome = await inflight.value
        } else {
            var notBefore: ContinuousClock.Instant?
            if let nextAttemptAt, clock.now < nextAttemptAt {
                // Backing off, or too soon after the last request: a token that still works beats waiting.
                if let usable = usableToken() { return usable }
                if let lastError { throw lastError }
                notBefore = nextAttemptAt
            }
            let task = Task { await self.performRequest(reason: reason, notBefore: notBefore) }
            inflight = task
            outcome = await task.value
        }
        switch outcome {
        case .success(let newToken):
            return newToken
        case .failure(let error):
            // An early renewal failed: its callers, too, keep the token that still works.
            if let usable = usableToken() { return usable }
            throw error
        }
    }

    /// The current token while the API should still accept it: not refused with a 401, not expired.
    private func usableToken() -> AccessToken? {
        guard let token, !invalidated, !token.isExpired(at: clock.now) else { return nil }
        return token
    }

    private func performRequest(
        reason: TokenRefreshReason, notBefore: ContinuousClock.Instant?
    ) async -> Result<AccessToken, TokenError> {
        defer { inflight = nil }
        if let notBefore {
            do { try await clock.sleep(until: notBefore) } catch {
                return .failure(TokenError(reason: .network, message: "token request cancelled"))
            }
        }
        let grant = configuration.grant
        if reason != .initial, let adopted = adoptNewerCachedToken() { return .success(adopted) }
        let started = clock.now
        do {
            let result = try await endpoint.requestToken(grant: grant, refreshToken: refreshToken)
            let took = clock.now - started
            install(result.accessToken)
            if let rotated = result.refreshToken { refreshToken = rotated }
            backoff.reset()
            nextAttemptAt = started + configuration.minimumRequestGap
            lastError = nil
            if let asked = result.clampedFromSeconds {
                logger.warning(
                    "the token endpoint announced an implausibly long lifetime; using the 48 h maximum",
                    metadata: [
                        "expires_in": "\(asked)", "used_s": "\(result.accessToken.lifetime.wholeSeconds)",
                    ])
            }
            metrics?.recordSuccess(result.accessToken, reason: reason, took: took)
            logger.info(
                "obtained access token",
                metadata: [
                    "grant_type": "\(grant.rawValue)", "reason": "\(reason.rawValue)",
                    "token": "…\(result.accessToken.value.fingerprint)",
                    "expires_in": "\(result.accessToken.lifetime.wholeSeconds)",
                    "duration_ms": "\(took.wholeMilliseconds)",
                ])
            saveCache(result.accessToken)
            return .success(result.accessToken)
        } catch {
            let took = clock.now - started
            let delay = backoff.nextDelay(retryAfter: error.retryAfter)
            nextAttemptAt = clock.now + delay
            lastError = error
            metrics?.recordFailure(grant: grant, reason: error.reason, took: error.reason == .network ? nil : took)
            logger.error(
                "token request failed",
                metadata: [
                    "grant_type": "\(grant.rawValue)", "reason": "\(error.reason.rawValue)",
                    "error": "\(error.message)",
                    "retry_in_s": "\(delay.wholeSeconds)", "consecutive_failures": "\(backoff.failures)",
                ])
            return .failure(error)
        }
    }

    private func install(_ newToken: AccessToken) {
        token = newToken
        invalidated = false
        refreshAt = Self.refreshDeadline(for: newToken, margin: configuration.refreshMargin)
    }

    /// When to renew: once less than `margin` is left, the margin being at most 20% of the lifetime.
    /// A little jitter spreads the renewals of many exporters sharing one OAuth client; it lies inside
    /// the margin, so a renewal never comes before 80% of the lifetime.
    package static func refreshDeadline(for token: AccessToken, margin configured: Duration) -> ContinuousClock.Instant
    {
        let margin = min(configured, token.lifetime * 0.2)
        return token.expiresAt - margin * Double.random(in: 0.9...1)
    }

    private static func loadCache(
        _ cache: TokenCache, configuration: TokenProviderConfiguration, fingerprint: String, metrics: TokenMetrics?,
        logger: Logger,
        clock: any ExporterClock
    ) -> (token: AccessToken?, refreshToken: Secret?) {
        switch cache.load(now: clock.unixNow) {
        case .miss:
            metrics?.recordCache(op: "load", result: .miss)
            return (nil, nil)
        case .error(let reason):
            metrics?.recordCache(op: "load", result: .error)
            logger.warning("ignoring token cache file", metadata: ["path": "\(cache.path)", "error": "\(reason)"])
            return (nil, nil)
        case .loaded(let entry):
            guard entry.fingerprint == fingerprint, entry.grant == configuration.grant else {
                metrics?.recordCache(op: "load", result: .stale)
                logger.info(
                    "token cache belongs to another client, login host or grant; not used",
                    metadata: ["path": "\(cache.path)"])
                return (nil, nil)
            }
            let refreshToken = configuration.grant == .refreshToken ? entry.refreshToken : nil
            // The file is outside input: only a sane age and lifetime may reach Duration arithmetic.
            let ageSeconds = clock.unixNow - entry.obtainedAtUnix
            guard let checkedAge = UntrustedNumber.finite(ageSeconds, in: 0...TokenEndpoint.longestLifetimeSeconds),
                (1...TokenEndpoint.longestLifetimeSeconds).contains(Double(entry.lifetimeSeconds))
            else {
                metrics?.recordCache(op: "load", result: .stale)
                logger.info(
                    "cached token has an impossible age or lifetime; requesting a new one",
                    metadata: ["path": "\(cache.path)"])
                return (nil, refreshToken)
            }
            let age = Duration.milliseconds(Int64(checkedAge * 1000))
            let candidate = AccessToken(
                value: entry.accessToken, grant: entry.grant, lifetime: .seconds(entry.lifetimeSeconds),
                obtainedAt: clock.now - age, obtainedAtUnix: entry.obtainedAtUnix)
            let margin = min(configuration.refreshMargin, candidate.lifetime * 0.2)
            guard candidate.remaining(at: clock.now) > margin else {
                metrics?.recordCache(op: "load", result: .stale)
                logger.info(
                    "cached token is expired or close to expiry; requesting a new one",
                    metadata: ["path": "\(cache.path)"])
                return (nil, refreshToken)
            }
            metrics?.recordCache(op: "load", result: .ok)
            metrics?.tokenChanged(candidate)
            logger.info(
                "using cached access token",
                metadata: [
                    "token": "…\(candidate.value.fingerprint)",
                    "expires_in": "\(candidate.remaining(at: clock.now).wholeSeconds)",
                ])
            return (candidate, refreshToken)
        }
    }

    /// Refresh tokens are single use: before redeeming one, take a newer refresh token (and a still-valid
    /// access token) that another process sharing the cache file (`check`, a previous instance) saved.
    private func adoptNewerCachedToken() -> AccessToken? {
        guard configuration.grant == .refreshToken, let cache else { return nil }
        let loaded = Self.loadCache(
            cache, configuration: configuration, fingerprint: fingerprint, metrics: metrics, logger: logger,
            clock: clock)
        if let newer = loaded.refreshToken, newer != refreshToken {
            logger.info("the token cache holds a newer refresh token; using it", metadata: ["path": "\(cache.path)"])
            refreshToken = newer
        }
        guard let cached = loaded.token, cached.value != token?.value else { return nil }
        install(cached)
        return cached
    }

    private func saveCache(_ saved: AccessToken) {
        guard let cache else { return }
        let entry = CachedToken(
            fingerprint: fingerprint, grant: saved.grant, accessToken: saved.value,
            obtainedAtUnix: saved.obtainedAtUnix,
            lifetimeSeconds: Int(saved.lifetime.wholeSeconds), refreshToken: refreshToken)
        if let failure = cache.save(entry) {
            metrics?.recordCache(op: "save", result: .error)
            let metadata: Logger.Metadata = ["path": "\(cache.path)", "error": "\(failure)"]
            if configuration.grant == .refreshToken {
                // The rotated refresh token now lives only in memory: say so every time, and fail readiness.
                let problem =
                    "cannot save the rotated refresh token to \(cache.path) (\(failure)); a restart would lose it: fix the file's directory or permissions"
                persistence.withLock { $0 = problem }
                logger.error(
                    "cannot write token cache file; the rotated refresh token is only in memory", metadata: metadata)
            } else if cacheWriteWarned {
                logger.debug("cannot write token cache file", metadata: metadata)
            } else {
                cacheWriteWarned = true
                logger.warning(
                    "cannot write token cache file; the exporter keeps running without it (fix the directory's permissions or --token.cache-file)",
                    metadata: metadata)
            }
        } else {
            metrics?.recordCache(op: "save", result: .ok)
            persistence.withLock { $0 = nil }
        }
    }
}
