import FoundationEssentials
import Glibc

/// The clock that everything which waits or measures age uses: monotonic instants for deadlines and
/// ages, Unix seconds only for exported timestamps. Production runs on `SystemClock`; tests pass a
/// manual clock and advance it instead of sleeping.
package protocol ExporterClock: Sendable {
    var now: ContinuousClock.Instant { get }
    /// Seconds since 1970, for exported timestamps and the token cache file.
    var unixNow: Double { get }
    /// Returns at `deadline`, or throws `CancellationError` when the task is cancelled first.
    func sleep(until deadline: ContinuousClock.Instant) async throws
}

extension ExporterClock {
    package func sleep(for duration: Duration) async throws { try await sleep(until: now + duration) }
}

/// The real clocks: `ContinuousClock` and the system's wall clock.
package struct SystemClock: ExporterClock {
    package init() {}
    package var now: ContinuousClock.Instant { .now }
    package var unixNow: Double { Date().timeIntervalSince1970 }
    package func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await Task.sleep(until: deadline, clock: .continuous)
    }
}
