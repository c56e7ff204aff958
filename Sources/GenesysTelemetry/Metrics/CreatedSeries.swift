import Synchronization

/// When each counter and histogram series of one store first appeared, for OpenMetrics' `_created` samples.
///
/// A series is stamped the first time an OpenMetrics page contains it, with the earliest moment it can have come
/// into being: the first change of the store after the previous OpenMetrics page (which did not contain it), or that
/// page's time when nothing was noted since. So `_created` is never later than the series' first sample, and
/// within one poll of when the series really appeared. Series are kept by a 64-bit hash of their name and labels
/// (a collision costs one series a wrong `_created`, not a wrong value); those no page contained for a while are
/// dropped, so removed queues and orgs do not accumulate.
package final class CreatedSeries: Sendable {
    private struct State {
        var times: [Int: Entry] = [:]
        /// When the store first changed after the last stamping; nil when it has not since.
        var firstChange: Double?
        var lastStamping: Double
        var round = 0
    }

    fileprivate struct Entry {
        let created: Double
        var seenInRound: Int
    }

    private let state: Mutex<State>

    /// - Parameter startedAt: when the store was made: the earliest any of its series can have appeared.
    package init(startedAt: Double) {
        state = Mutex(State(lastStamping: startedAt))
    }

    /// Notes that the store's contents changed at `time` (only the first change between two stampings matters).
    package func noteChange(at time: Double) {
        state.withLock { state in
            if state.firstChange == nil { state.firstChange = time }
        }
    }

    /// Runs `body` with a stamper that gives each series (name and labels, as written) its created time.
    package func stamping<T>(now: Double, _ body: (inout Stamper) -> T) -> T {
        state.withLock { state in
            state.round &+= 1
            var stamper = Stamper(
                times: state.times, bound: state.firstChange ?? state.lastStamping, round: state.round)
            // Moved out so that the stamper's writes do not copy the table.
            state.times = [:]
            let result = body(&stamper)
            state.times = stamper.times
            state.firstChange = nil
            state.lastStamping = now
            // Series not on this page were removed (or belong to a page that failed); forget them once they outnumber
            // the live ones, so churn cannot grow the table without bound.
            if state.times.count > 2 * stamper.seen + 1024 {
                let round = state.round
                state.times = state.times.filter { $0.value.seenInRound == round }
            }
            return result
        }
    }

    /// Stamps the series of one page.
    package struct Stamper {
        fileprivate var times: [Int: Entry]
        fileprivate let bound: Double
        fileprivate let round: Int
        fileprivate var seen = 0

        fileprivate init(times: [Int: Entry], bound: Double, round: Int) {
            self.times = times
            self.bound = bound
            self.round = round
        }

        /// The created time of the series `key` (its name and labels as the page writes them).
        package mutating func created(_ key: ArraySlice<UInt8>) -> Double {
            var hasher = Hasher()
            key.withUnsafeBytes { hasher.combine(bytes: $0) }
            let hash = hasher.finalize()
            seen += 1
            if var entry = times[hash] {
                entry.seenInRound = round
                times[hash] = entry
                return entry.created
            }
            times[hash] = Entry(created: bound, seenInRound: round)
            return bound
        }
    }
}
