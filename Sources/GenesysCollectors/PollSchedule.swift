/// When a collector polls next: the interval with ±10% jitter after a success; after failures, `Backoff` from the
/// interval up to the failure cap, never before a Retry-After.
import GenesysBase

package struct PollSchedule: Sendable {
    let interval: Duration
    private var backoff: Backoff

    package init(interval: Duration, failureCap: Duration = .seconds(300)) {
        self.interval = interval
        backoff = Backoff(initial: interval, cap: failureCap, jitter: .proportional(0.1))
    }

    var consecutiveFailures: Int { backoff.failures }
    var failureCap: Duration { backoff.cap }

    package mutating func afterSuccess() -> Duration {
        backoff.reset()
        return backoff.spread(interval)
    }

    package mutating func afterFailure(retryAfter: Duration?) -> Duration {
        backoff.nextDelay(retryAfter: retryAfter)
    }
}
