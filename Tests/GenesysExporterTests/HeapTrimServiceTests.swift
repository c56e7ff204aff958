import GenesysBaseTestSupport
import GenesysTestSupport
import SimulatorTestSupport
import Synchronization
import Testing

@testable import GenesysExporter

@Suite("Heap trim")
struct HeapTrimServiceTests {
    /// Virtual time: one trim per interval, none before it, and cancellation ends the loop at once.
    @Test(.timeLimit(.minutes(1)))
    func test_trimsOncePerInterval_andStopsWhenCancelled() async throws {
        let clock = ManualClock()
        let trims = Mutex(0)
        let service = HeapTrimService(interval: .seconds(30), clock: clock) { trims.withLock { $0 += 1 } }
        let running = Task { try await service.run() }
        for expected in 1...3 {
            #expect(await eventually { clock.sleeperCount == 1 }, "waiting for interval \(expected)")
            #expect(trims.withLock { $0 } == expected - 1, "no trim before the interval has passed")
            clock.advance(by: .seconds(30))
            #expect(await eventually { trims.withLock { $0 } == expected })
        }
        running.cancel()
        try await running.value
        #expect(trims.withLock { $0 } == 3)
    }

    /// The real trim runs and returns (glibc's `malloc_trim`, whatever it frees).
    @Test func test_theRealTrim_runs() async throws {
        let clock = ManualClock()
        let service = HeapTrimService(interval: .seconds(1), clock: clock)
        let running = Task { try await service.run() }
        #expect(await eventually { clock.sleeperCount == 1 })
        clock.advance(by: .seconds(1))
        #expect(await eventually { clock.sleeperCount == 1 }, "back to waiting after the trim")
        running.cancel()
        try await running.value
    }
}
