import GenesysBase
import Synchronization

/// The web config's `rate_limit`: one token bucket for the whole server, as exporter-toolkit's (Go's
/// `rate.NewLimiter(rate.Every(interval), burst)`). It starts full with `burst` tokens, gains one every `interval`
/// up to `burst`, and each request takes one; a request that finds it empty is answered 429.
package final class RequestRateLimiter: Sendable {
    package enum Verdict: Sendable, Equatable {
        case allowed
        /// Whole seconds until a token is back (at least 1), for `Retry-After`.
        case refused(retryAfterSeconds: Int)
    }

    package let settings: WebConfig.RateLimit
    private let clock: any ExporterClock
    private let bucket: Mutex<Bucket>

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    package init(_ settings: WebConfig.RateLimit, clock: any ExporterClock = SystemClock()) {
        self.settings = settings
        self.clock = clock
        bucket = Mutex(Bucket(tokens: Double(settings.burst), updated: clock.now))
    }

    /// Takes a token if there is one.
    package func take() -> Verdict {
        let now = clock.now
        let interval = settings.interval.seconds
        let burst = Double(settings.burst)
        return bucket.withLock { bucket in
            // A clock that went backwards (it cannot: ContinuousClock) would only add nothing.
            let elapsed = max(0, (now - bucket.updated).seconds)
            bucket.tokens = min(burst, bucket.tokens + elapsed / interval)
            bucket.updated = now
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return .allowed
            }
            let wait = (1 - bucket.tokens) * interval
            // The interval is at most a century (the duration parser's bound), so this fits an Int.
            return .refused(retryAfterSeconds: max(1, Int(wait.rounded(.up))))
        }
    }
}
