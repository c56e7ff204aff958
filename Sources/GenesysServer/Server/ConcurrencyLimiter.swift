import Synchronization

/// A counting limit shared by all connections and listeners: open connections, or requests being answered.
final class ConcurrencyLimiter: Sendable {
    let limit: Int
    private let inUse = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// Takes a slot; false (and nothing taken) when all `limit` are in use.
    func tryAcquire() -> Bool {
        var current = inUse.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = inUse.compareExchange(
                expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func release() { inUse.subtract(1, ordering: .acquiringAndReleasing) }

    var current: Int { inUse.load(ordering: .relaxed) }
}
