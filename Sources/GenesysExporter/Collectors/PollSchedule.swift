/// When a collector polls next: the interval with ±10% jitter after a success; after failures,
/// the interval doubled per consecutive failure up to a cap, and never before a Retry-After.
struct PollSchedule: Sendable {
    let interval: Duration
    let failureCap: Duration
    private(set) var consecutiveFailures = 0

    init(interval: Duration, failureCap: Duration = .seconds(300)) {
        self.interval = interval
        self.failureCap = max(failureCap, interval)
    }

    mutating func afterSuccess() -> Duration {
        consecutiveFailures = 0
        return interval * Double.random(in: 0.9...1.1)
    }

    mutating func afterFailure(retryAfter: Duration?) -> Duration {
        consecutiveFailures += 1
        let exponent = min(consecutiveFailures - 1, 20)
        var delay = min(failureCap, interval * (1 << exponent)) * Double.random(in: 0.9...1.1)
        // Retry-After comes from upstream: honoured, but never beyond the failure cap.
        if let retryAfter { delay = max(delay, min(retryAfter, failureCap)) }
        return delay
    }
}
