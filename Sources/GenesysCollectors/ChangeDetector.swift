import Synchronization

/// Remembers the last value it was shown, to tell whether the next one differs (work that only a change needs).
final class ChangeDetector<Value: Equatable & Sendable>: Sendable {
    private let last = Mutex<Value?>(nil)

    /// True the first time and whenever `value` differs from the last one; remembers `value`.
    func changed(to value: Value) -> Bool {
        last.withLock { last in
            defer { last = value }
            return last != value
        }
    }
}
