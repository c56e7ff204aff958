import GenesysBase
import Synchronization

/// One timer for every streaming collector of an exporter: a collector whose next publication must wait (at most one
/// a second) asks to be run at a tick instead of sleeping on its own. At 200 streaming orgs, a sleep per org was 200
/// timers a second, each a dispatch timer and a thread woken. Ticks run only while something waits.
package final class PublicationTicker: Sendable {
    package static let period: Duration = .milliseconds(250)

    private struct Due: Sendable {
        let at: ContinuousClock.Instant
        let run: @Sendable () -> Void
    }

    private let clock: any ExporterClock
    private let state = Mutex<(due: [ObjectIdentifier: Due], ticking: Bool)>(([:], false))

    package init(clock: any ExporterClock) { self.clock = clock }

    /// Runs `run` at the first tick at or after `at`; while `key` waits, asking again changes nothing.
    package func schedule(_ key: ObjectIdentifier, at: ContinuousClock.Instant, _ run: @escaping @Sendable () -> Void) {
        let start = state.withLock { state in
            if state.due[key] == nil { state.due[key] = Due(at: at, run: run) }
            guard !state.ticking else { return false }
            state.ticking = true
            return true
        }
        if start { Task { await self.tick() } }
    }

    /// Until nothing waits: at each tick, runs what is due.
    private func tick() async {
        while true {
            // Not cancelled (nothing owns this task): what waits is run, and then the ticks stop.
            try? await clock.sleep(for: Self.period)
            let now = clock.now
            let (ready, waiting) = state.withLock { state in
                let ready = state.due.filter { $0.value.at <= now }
                for key in ready.keys { state.due[key] = nil }
                if state.due.isEmpty { state.ticking = false }
                return (ready.values.map(\.run), !state.due.isEmpty)
            }
            for run in ready { run() }
            guard waiting else { return }
        }
    }
}
