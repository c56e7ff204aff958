import GenesysNotifications

/// When a streaming collector must poll Genesys after all: always while not streaming, and when streaming once
/// after each (re)start or resubscription, after dropped messages, and every reconcile interval.
struct StreamReconciliation {
    private var generation = -1
    private var drops = 0
    private var at: ContinuousClock.Instant?

    var hasPolled: Bool { at != nil }

    func pollNeeded(_ status: NotificationStreamStatus?, now: ContinuousClock.Instant, interval: Duration) -> Bool {
        guard let status, status.state == .streaming else { return true }
        if status.generation != generation || status.dropped != drops { return true }
        guard let at else { return true }
        return now - at >= interval
    }

    /// A poll that started at `now`, when the stream looked like `seen`, replaced the streamed values.
    mutating func polled(at now: ContinuousClock.Instant, seen: NotificationStreamStatus) {
        generation = seen.generation
        drops = seen.dropped
        at = now
    }
}
