import GenesysBase
import GenesysTelemetry
import Prometheus

/// The `genesys_notification_*` families of one org's stream: a few fixed series each (the `channel` label is a
/// slot number, at most the streaming collectors' `max-channels`).
package final class NotificationMetrics: Sendable {
    /// Every state of `genesys_notification_stream_state`, always all present.
    package enum StreamState: String, Sendable, CaseIterable {
        /// Opening channels; the streaming collectors poll meanwhile.
        case connecting
        /// Every wanted topic (selected queues, listed users) is subscribed on a live socket.
        case streaming
        /// Streaming could not be kept up: the streaming collectors poll at the poll interval.
        case fallback
    }

    /// Why the stream fell back to polling (`genesys_notification_fallbacks_total`).
    package enum FallbackReason: String, Sendable, CaseIterable, Error {
        case channelFailed = "channel_failed"
        case connectFailed = "connect_failed"
        case subscribeFailed = "subscribe_failed"
        case topicRejected = "topic_rejected"
        case tooManyTopics = "too_many_topics"
        case socketClosed = "socket_closed"
        case heartbeatLost = "heartbeat_lost"
        case renewalFailed = "renewal_failed"
    }

    /// Why a channel was replaced while streaming went on (`genesys_notification_renewals_total`).
    package enum RenewalReason: String, Sendable, CaseIterable {
        /// Before the channel's 24 hours ran out.
        case expiry
        /// The service announced it would drop the socket (`v2.system.socket_closing`).
        case socketClosing = "socket_closing"
    }

    package static let messageKinds = [
        "heartbeat", "pong", "socket_closing", "queue_observation", "user_routing_status", "user_presence", "other",
        "malformed", "binary",
    ]

    private let store: MetricStore
    private let state: GaugeSeriesSet
    private let channels: Gauge
    private let topics: Gauge
    private let messages: CounterSeriesSet
    private let dropped: Counter
    private let fallbacks: CounterSeriesSet
    private let renewals: CounterSeriesSet
    private let reconnects: Counter
    private let lastMessage: GaugeSeriesSet
    private let delay: ValueHistogram

    package init(store: MetricStore) {
        self.store = store
        let registry = store.registry
        state = GaugeSeriesSet(
            store: store, name: "genesys_notification_stream_state",
            help: "1 for the stream's state (connecting, streaming, fallback to polling), 0 for the others.")
        channels = registry.gauge(
            "genesys_notification_channels_connected", "Notification channels with an open WebSocket.")
        topics = registry.gauge(
            "genesys_notification_topics_subscribed", "Topics subscribed on the open notification channels.")
        messages = CounterSeriesSet(
            store: store, name: "genesys_notification_messages_total",
            help: "Notification messages received, by kind (malformed and binary ones are counted and ignored).")
        dropped = registry.counter(
            "genesys_notification_messages_dropped_total",
            "Notification messages dropped because they arrived faster than they could be applied.")
        fallbacks = CounterSeriesSet(
            store: store, name: "genesys_notification_fallbacks_total",
            help: "Times the stream stopped and the streaming collectors went back to polling, by reason.")
        renewals = CounterSeriesSet(
            store: store, name: "genesys_notification_renewals_total",
            help: "Notification channels replaced by a new one without a gap, by reason.")
        reconnects = registry.counter(
            "genesys_notification_reconnects_total",
            "Attempts to open the notification channels again after a fallback.")
        lastMessage = GaugeSeriesSet(
            store: store, name: "genesys_notification_last_message_timestamp_seconds",
            help: "Unix time of the last message (heartbeats included) on each open channel slot.")
        delay = registry.histogram(
            "genesys_notification_apply_delay_seconds",
            "From a notification's arrival to its values being published (messages carry no event time).",
            buckets: applyDelayBuckets)
        store.publish {
            messages.add(Self.messageKinds.map { ([("kind", $0)], 0) })
            fallbacks.add(FallbackReason.allCases.map { ([("reason", $0.rawValue)], 0) })
            renewals.add(RenewalReason.allCases.map { ([("reason", $0.rawValue)], 0) })
            setState(.connecting)
        }
    }

    package func record(state newState: StreamState) {
        store.publish { setState(newState) }
    }

    private func setState(_ newState: StreamState) {
        state.publish(StreamState.allCases.map { ([("state", $0.rawValue)], $0 == newState ? 1 : 0) })
    }

    package func recordFallback(_ reason: FallbackReason) {
        store.publish {
            fallbacks.add([([("reason", reason.rawValue)], 1)])
            setState(.fallback)
        }
    }

    package func recordRenewal(_ reason: RenewalReason) {
        store.publish { renewals.add([([("reason", reason.rawValue)], 1)]) }
    }

    package func recordReconnect() {
        store.publish { reconnects.increment() }
    }

    /// Message counts by kind since the last call, and drops.
    package func recordMessages(_ counts: [String: Int], dropped drops: Int) {
        guard !counts.isEmpty || drops > 0 else { return }
        store.publish {
            messages.add(counts.map { ([("kind", $0.key)], Double($0.value)) })
            if drops > 0 { dropped.increment(by: Int64(drops)) }
        }
    }

    /// The open channels: how many, their topics, and the time of each slot's last message.
    package func recordChannels(topics topicCount: Int, lastMessages: [Double]) {
        store.publish {
            channels.set(Double(lastMessages.count))
            topics.set(Double(topicCount))
            lastMessage.publish(lastMessages.enumerated().map { ([("channel", "\($0.offset)")], $0.element) })
        }
    }

    /// How long applied messages waited between arrival and publication, one observation each.
    package func recordApplyDelays(_ delays: [Duration]) {
        for value in delays { delay.record(value.seconds) }
        store.changed()
    }
}

/// A millisecond (applied at once) to ten seconds (a backlog).
let applyDelayBuckets: [Double] = [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 10]
