import Synchronization

/// What the last API answer said about the token's rate-limit window (`inin-ratelimit-count` of
/// `inin-ratelimit-allowed`): the poll loops slow down while it runs low.
package final class RateLimitHeadroom: Sendable {
    private let last = Mutex<(count: Double, allowed: Double)?>(nil)

    package init() {}

    func record(count: Double, allowed: Double) { last.withLock { $0 = (count, allowed) } }

    /// The share of the window left, 0…1; nil before any answer carried the headers.
    package var remainingShare: Double? {
        last.withLock { last in
            guard let last, last.allowed > 0 else { return nil }
            return min(max((last.allowed - last.count) / last.allowed, 0), 1)
        }
    }
}
