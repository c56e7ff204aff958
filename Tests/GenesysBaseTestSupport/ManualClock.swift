import GenesysBase
import GenesysSimulator
import NIOConcurrencyHelpers
import NIOCore

extension SimulatorConfiguration {
    /// This configuration with token expiry judged by `clock`, so the simulator and the exporter share virtual time.
    package func judgingTime(by clock: ManualClock) -> SimulatorConfiguration {
        var configuration = self
        configuration.now = clock.simulatorNow
        return configuration
    }
}

/// A clock that moves only when a test advances it: token renewals, backoff and Retry-After are
/// tested in virtual time, so a loaded 2-core machine cannot make them late. Pass `simulatorNow` to
/// the simulator so token expiry there follows the same time.
package final class ManualClock: ExporterClock {
    private struct Sleeper {
        let id: UInt64
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var elapsed: Duration = .zero
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
    }

    private let baseInstant = ContinuousClock.now
    private let baseDeadline = NIODeadline.now()
    private let baseUnix: Double
    private let state = NIOLockedValueBox(State())

    /// `unixStart` is the wall-clock time at the start, in Unix seconds.
    package init(unixStart: Double = 1_795_751_400) { baseUnix = unixStart }

    package var elapsed: Duration { state.withLockedValue { $0.elapsed } }
    package var now: ContinuousClock.Instant { baseInstant + elapsed }
    package var unixNow: Double { baseUnix + elapsed.seconds }

    /// The simulator's notion of now, moving with this clock.
    package var simulatorNow: @Sendable () -> NIODeadline {
        { [self] in baseDeadline + TimeAmount.nanoseconds(Int64(elapsed.seconds * 1e9)) }
    }

    /// Tasks currently waiting on this clock.
    package var sleeperCount: Int { state.withLockedValue { $0.sleepers.count } }

    package func sleep(until deadline: ContinuousClock.Instant) async throws {
        let id = state.withLockedValue { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = state.withLockedValue { state in
                    if Task.isCancelled || deadline <= baseInstant + state.elapsed { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if resumeNow {
                    if Task.isCancelled {
                        continuation.resume(throwing: CancellationError())
                    } else {
                        continuation.resume()
                    }
                }
            }
        } onCancel: {
            let cancelled = state.withLockedValue { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has come.
    package func advance(by duration: Duration) {
        let due = state.withLockedValue { state -> [Sleeper] in
            state.elapsed += duration
            let now = baseInstant + state.elapsed
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }
}
