/// Capped exponential backoff with equal jitter: the n-th consecutive failure waits between
/// half and all of min(cap, initial * 2^(n-1)).
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var cap: Duration
    public private(set) var failures = 0

    public init(initial: Duration = .seconds(1), cap: Duration = .seconds(300)) {
        self.initial = initial
        self.cap = cap
    }

    /// Records a failure and returns how long to wait before the next attempt.
    public mutating func nextDelay() -> Duration {
        failures += 1
        let exponent = min(failures - 1, 30)
        let full = min(cap, initial * (1 << exponent))
        let half = full / 2
        return half + half * Double.random(in: 0...1)
    }

    public mutating func reset() { failures = 0 }
}
