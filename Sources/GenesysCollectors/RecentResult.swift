import Synchronization

/// The last result of a slowly changing listing (phones, the queue listing, today's service level), reused while it
/// is younger than the listing's own interval, so a poll asks Genesys only for what changes at the poll's pace.
/// Only a success is stored: after a failure the next poll asks again.
final class RecentResult<Value: Sendable>: Sendable {
    private let last = Mutex<(value: Value, at: ContinuousClock.Instant)?>(nil)

    /// The stored value when it is younger than `interval` and `stillValid` accepts it; nil asks again.
    func recent(
        at now: ContinuousClock.Instant, within interval: Duration, _ stillValid: (Value) -> Bool = { _ in true }
    ) -> Value? {
        last.withLock { last in
            guard let last, now - last.at < interval, stillValid(last.value) else { return nil }
            return last.value
        }
    }

    func store(_ value: Value, at now: ContinuousClock.Instant) {
        last.withLock { $0 = (value, now) }
    }
}
