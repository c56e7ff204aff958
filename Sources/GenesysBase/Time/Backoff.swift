/// The one retry policy for token requests and polls: capped exponential backoff with jitter, where an upstream
/// `Retry-After` is honoured but never beyond the cap. The n-th consecutive failure waits about
/// min(cap, initial × 2^(n-1)), spread by `jitter`.
package struct Backoff: Sendable, Equatable {
    /// How a delay is spread so that many clients do not retry in step.
    package enum Jitter: Sendable, Equatable {
        /// Between half and all of the delay ("equal jitter"): token requests.
        case equal
        /// Within ± this fraction of the delay: polls, which keep close to their interval.
        case proportional(Double)
    }

    package var initial: Duration
    package var cap: Duration
    package var jitter: Jitter
    package private(set) var failures = 0

    package init(initial: Duration = .seconds(1), cap: Duration = .seconds(300), jitter: Jitter = .equal) {
        self.initial = initial
        self.cap = max(cap, initial)
        self.jitter = jitter
    }

    /// Records a failure and returns how long to wait before the next attempt: never less than `retryAfter`
    /// (already range-checked by `RetryAfter`), unless that is beyond the cap.
    package mutating func nextDelay(retryAfter: Duration? = nil) -> Duration {
        failures += 1
        let exponent = min(failures - 1, 30)
        let delay = spread(min(cap, initial * (1 << exponent)))
        guard let retryAfter else { return delay }
        return max(delay, min(retryAfter, cap))
    }

    package mutating func reset() { failures = 0 }

    /// `delay` with this policy's jitter.
    package func spread(_ delay: Duration) -> Duration {
        switch jitter {
        case .equal:
            let half = delay / 2
            return half + half * Double.random(in: 0...1)
        case .proportional(let fraction):
            return delay * Double.random(in: (1 - fraction)...(1 + fraction))
        }
    }
}
