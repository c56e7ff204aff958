import GenesysBase
import GenesysTelemetry

/// A streaming collector's `mode`, `reconcile-interval` and `max-channels` options.
struct StreamOptions: Equatable {
    static let defaultReconcileInterval: Duration = .seconds(600)

    /// Stream by default: real time, and a 200-org fleet costs less CPU than polling (benchmarks/README.md,
    /// "Streaming"). `poll` where the notification service cannot be reached.
    var streaming = true
    var reconcileInterval = StreamOptions.defaultReconcileInterval
    var maxChannels = 8

    /// The options' flags; `perChannel` says what one channel's 1,000 topics carry ("1000 queues").
    static func options(perChannel: String) -> [CollectorOption] {
        [
            CollectorOption(
                name: "mode", valueName: "stream|poll",
                help: "stream: real time over notification channels, or poll (stream)."),
            CollectorOption(
                name: "reconcile-interval", valueName: "duration",
                help: "Stream mode: a full query at least this often (10m)."),
            CollectorOption(
                name: "max-channels", valueName: "n",
                help: "Stream mode: notification channels per org, \(perChannel) each (8)."),
        ]
    }

    static func parse(_ options: [String: String], of collector: String) throws(ConfigurationError) -> StreamOptions {
        var parsed = StreamOptions()
        if let mode = options["mode"] {
            guard ["stream", "poll"].contains(mode) else {
                throw .invalid(
                    setting: "--collector.\(collector).mode",
                    reason: "'\(SafeExcerpt.of(mode, limit: 40))' is neither stream nor poll")
            }
            parsed.streaming = mode == "stream"
        }
        parsed.reconcileInterval =
            try CollectorOptionValue.duration(options, "reconcile-interval", of: collector, least: .seconds(10))
            ?? parsed.reconcileInterval
        parsed.maxChannels =
            try CollectorOptionValue.wholeNumber(options, "max-channels", of: collector, in: 1...19)
            ?? parsed.maxChannels
        return parsed
    }

    /// The org's stream may use this many channels; nil when polling.
    var notificationChannels: Int? { streaming ? maxChannels : nil }
}
