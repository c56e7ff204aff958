import GenesysBase
import GenesysNotifications

/// Publishes a streaming collector's applied messages, at most every `minInterval` however fast messages come: a
/// publication rebuilds the streamed families of every selected queue or division (5,000 queues changing every
/// second cost 39% of a core at 250 ms). A lone change is published at once; a burst within the interval waits for
/// the rest of it.
enum StreamPublisher {
    static let minInterval: Duration = .seconds(1)

    /// Until `wake` ends or the task is cancelled: after each wake-up (throttled), `publish` applies what is pending
    /// and returns when each applied entry first arrived (nil: nothing was pending), for the apply-delay histogram.
    static func run(
        wake: AsyncStream<Void>, clock: any ExporterClock, metrics: NotificationMetrics,
        publish: () -> [ContinuousClock.Instant]?
    ) async {
        var lastPublish: ContinuousClock.Instant?
        for await _ in wake {
            if let lastPublish, clock.now - lastPublish < minInterval {
                do { try await clock.sleep(until: lastPublish + minInterval) } catch { break }
            }
            guard let arrivals = publish() else { continue }
            let now = clock.now
            lastPublish = now
            metrics.recordApplyDelays(arrivals.map { now - $0 })
        }
    }
}
