import GenesysBaseTestSupport
import GenesysNotifications
import GenesysTelemetry
import Synchronization
import Testing

@testable import GenesysCollectors

/// The streamed publications' pace, on a manual clock: a lone change at once, changes within a second of the last
/// publication together at the exporter's ticker, never two publications within a second.
@Suite("Streamed publications")
struct StreamPublisherTests {
    /// Waits (in real time, briefly) for something another task does.
    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<500 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        return condition()
    }

    @Test func test_aLoneChangeIsPublishedAtOnce_andLaterOnesAtTheTickerOnceASecondHasPassed() async throws {
        let clock = ManualClock()
        let ticker = PublicationTicker(clock: clock)
        let published = Mutex(0)
        let publisher = StreamPublisher(
            clock: clock, metrics: NotificationMetrics(store: MetricStore()), ticker: ticker
        ) {
            published.withLock { $0 += 1 }
            return [clock.now]
        }
        let running = Task { await publisher.run() }
        defer { running.cancel() }
        publisher.changed()
        #expect(try await Self.eventually { published.withLock { $0 } == 1 }, "a lone change: at once")
        // Three changes within the second: one publication, at the first tick a second after the last.
        publisher.changed()
        publisher.changed()
        publisher.changed()
        #expect(try await Self.eventually { clock.sleeperCount == 1 }, "the ticker waits on the clock")
        clock.advance(by: .milliseconds(500))
        #expect(try await Self.eventually { clock.sleeperCount == 1 }, "the next tick")
        #expect(published.withLock { $0 } == 1, "not within the second")
        clock.advance(by: .milliseconds(500))
        #expect(try await Self.eventually { published.withLock { $0 } == 2 }, "the tick a second after")
        #expect(try await Self.eventually { clock.sleeperCount == 0 }, "nothing waits: the ticks stop")
        // A second later, a change is alone again.
        clock.advance(by: .seconds(2))
        publisher.changed()
        #expect(try await Self.eventually { published.withLock { $0 } == 3 })
        #expect(clock.sleeperCount == 0)
    }

    @Test func test_aStoppedPublisher_publishesNothingMore() async throws {
        let clock = ManualClock()
        let published = Mutex(0)
        let publisher = StreamPublisher(
            clock: clock, metrics: NotificationMetrics(store: MetricStore()), ticker: PublicationTicker(clock: clock)
        ) {
            published.withLock { $0 += 1 }
            return []
        }
        let running = Task { await publisher.run() }
        publisher.changed()
        #expect(try await Self.eventually { published.withLock { $0 } == 1 })
        publisher.changed()  // within the second: waits for the ticker
        running.cancel()
        await running.value
        clock.advance(by: .seconds(2))
        #expect(try await Self.eventually { clock.sleeperCount == 0 })
        publisher.changed()
        #expect(published.withLock { $0 } == 1, "a collector that stopped streaming writes no series")
    }
}
