import GenesysAPI
import GenesysAuth
import GenesysBase
import GenesysJSON
import GenesysNotifications
import GenesysTelemetry
import Prometheus

/// Live queue observations in one batched query: conversations waiting, interacting and alerting by media type, when
/// the longest-waiting one started, and agents by routing status and system presence.
///
/// In stream mode (the default, `--collector.observations.mode=stream`) the conversation counts follow Genesys'
/// notification channels as they change (`v2.analytics.queues.{id}.observations`), and the query runs once at start,
/// every reconcile interval, after a restart of the stream or dropped messages, and at every poll while streaming
/// cannot be kept up (the fallback).
/// Agent counts come from those queries: the notification carries conversation counts only.
struct ObservationCollector: StreamingCollector {
    static let name = "observations"
    static let help = "Live queue observations: waiting, oldest waiting, agents by status."
    static let options = StreamOptions.options(perChannel: "1000 queues")

    typealias Settings = StreamOptions

    let endpoints: [Endpoint]
    private let settings: Settings
    private let streamed = StreamedObservations()
    private let waiting: GaugeSeriesSet
    private let interacting: GaugeSeriesSet
    private let alerting: GaugeSeriesSet
    private let oldestWaiting: GaugeSeriesSet
    private let agentsOnQueue: GaugeSeriesSet
    private let agentsByStatus: GaugeSeriesSet
    private let agentsByPresence: GaugeSeriesSet

    static func make(store: MetricStore, grant: OAuthGrant, options: [String: String]) -> Self {
        Self(store: store, settings: (try? settings(options)) ?? Settings())
    }

    static func endpoints(grant: OAuthGrant) -> [Endpoint] { [.queueObservations] + streamEndpoints }

    static let streamEndpoints = NotificationCheck.endpoints

    static func validate(options: [String: String]) throws(ConfigurationError) {
        _ = try settings(options)
    }

    static func settings(_ options: [String: String]) throws(ConfigurationError) -> Settings {
        try StreamOptions.parse(options, of: name)
    }

    /// Observes the queue the queues check found; nothing to ask without one. In stream mode also creates a
    /// channel, opens its socket, subscribes that queue, checks the channel and removes the subscription.
    static func check(
        _ endpoint: Endpoint, api: GenesysAPIClient, probe: inout CheckProbe
    ) async throws(APIError)
        -> APIResult?
    {
        guard let id = probe.firstQueueID else { return nil }
        guard endpoint == .queueObservations else {
            return try await NotificationCheck.check(
                endpoint, api: api, probe: &probe, topic: NotificationMessage.observationTopic(queueID: id),
                permission: "analytics:queueObservation:view")
        }
        return try await api.post(endpoint, body: query(for: [RoutingQueue(id: id, name: "")]))
    }

    init(store: MetricStore, settings: Settings = Settings()) {
        self.settings = settings
        endpoints = [.queueObservations] + (settings.streaming ? Self.streamEndpoints : [])
        waiting = GaugeSeriesSet(
            store: store, name: "genesys_queue_conversations_waiting",
            help: "Conversations waiting in the queue, by media type (oWaiting).")
        interacting = GaugeSeriesSet(
            store: store, name: "genesys_queue_conversations_interacting",
            help: "Conversations being handled in the queue, by media type (oInteracting).")
        alerting = GaugeSeriesSet(
            store: store, name: "genesys_queue_conversations_alerting",
            help: "Conversations offered to an agent and not yet answered, by media type (oAlerting).")
        oldestWaiting = GaugeSeriesSet(
            store: store, name: "genesys_queue_oldest_waiting_timestamp_seconds",
            help:
                "Unix time the longest-waiting conversation started waiting, by media type; absent when none waits.")
        agentsOnQueue = GaugeSeriesSet(
            store: store, name: "genesys_queue_agents_on_queue",
            help: "Agents on queue, in any routing status (oOnQueueUsers).")
        agentsByStatus = GaugeSeriesSet(
            store: store, name: "genesys_queue_agents",
            help: "Queue members by routing status (oUserRoutingStatuses); every status, 0 included.")
        agentsByPresence = GaugeSeriesSet(
            store: store, name: "genesys_queue_agents_presence",
            help: "Queue members by system presence (oUserPresences mapped to system presences).")
    }

    func collect(_ context: CollectorContext) async throws(APIError) -> Publication {
        let started = context.clock.now
        if settings.streaming && !streamed.pollNeeded(now: started, reconcileInterval: settings.reconcileInterval) {
            return {}  // streaming: the values are current without asking
        }
        let seen = streamed.pollStarting(at: started)
        let queues = try await QueueQuery.selectedQueues(context)
        var observed = QueueObservations()
        for batch in QueueQuery.batches(queues) {
            let result = try await context.api.post(.queueObservations, body: Self.query(for: batch))
            try context.api.decode(.queueObservations, result) { json throws(JSONDecodingError) in
                try observed.add(json)
            }
        }
        if settings.streaming { streamed.replace(observed, queues: queues, at: started, seen: seen) }
        let series = ObservationSeries(observed, queues: queues)
        return {
            [observed, agentsOnQueue, agentsByStatus, agentsByPresence] in
            publishConversations(observed, series)
            agentsOnQueue.publish(series.byQueue(observed.onQueueUsers))
            agentsByStatus.publish(series.agentsByStatus)
            agentsByPresence.publish(series.agentsByPresence)
        }
    }

    private func publishConversations(_ observed: QueueObservations, _ series: ObservationSeries) {
        waiting.publish(series.byMedia(observed.waiting))
        interacting.publish(series.byMedia(observed.interacting))
        alerting.publish(series.byMedia(observed.alerting))
        oldestWaiting.publish(series.oldestWaiting)
    }

    var notificationChannels: Int? { settings.notificationChannels }

    /// Stream mode: follows the selected queues' observation topics on the org's notification stream and publishes
    /// what they say, at most every `minPublishInterval`. Poll mode: nothing.
    func stream(_ context: CollectorContext, publish: @escaping @Sendable (@escaping Publication) -> Void) async {
        guard settings.streaming, let hub = context.notifications else { return }
        streamed.attach(hub)
        let streamed = streamed
        let directory = context.queueDirectory
        let clock = context.clock
        let topics = ObservationTopics()
        let publisher = StreamPublisher(clock: clock, metrics: hub.metrics, ticker: hub.ticker) {
            [waiting, interacting, alerting, oldestWaiting] in
            guard let streamed = streamed.applyPending() else { return nil }
            publish {
                waiting.publish(streamed.layout, values: streamed.waiting)
                interacting.publish(streamed.layout, values: streamed.interacting)
                alerting.publish(streamed.layout, values: streamed.alerting)
                oldestWaiting.publish(streamed.layout, present: streamed.oldestWaiting)
            }
            return streamed.arrivals
        }
        hub.join(
            Self.name,
            topics: {
                guard streamed.hasPolled else { return nil }  // nothing to subscribe before a poll selected queues
                let queues = directory.selectedQueues ?? streamed.queues
                guard !queues.isEmpty else { return nil }
                return topics.topics(of: queues)
            },
            deliver: { message, receivedAt in
                guard case .queueObservation(let update) = message else { return }
                if streamed.enqueue(update, receivedAt: receivedAt, unixMillis: Int64(clock.unixNow * 1000)) {
                    publisher.changed()
                } else if directory.selectedQueues?.contains(where: { $0.id == update.queueID }) != true {
                    directory.requestRelisting()  // a queue the last listing does not know
                }
            })
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await streamed.queuesKnown()
                hub.topicsChanged()
            }
            await publisher.run()
            group.cancelAll()
        }
    }

    static func query(for queues: some Collection<RoutingQueue>) -> [UInt8] {
        let body =
            "{\"filter\":\(QueueQuery.filter(queues)),"
            + "\"metrics\":[\"oWaiting\",\"oInteracting\",\"oAlerting\",\"oOnQueueUsers\",\"oUserRoutingStatuses\","
            + "\"oUserPresences\"],\"detailMetrics\":[\"oWaiting\"]}"
        return Array(body.utf8)
    }
}

extension Endpoint {
    package static let queueObservations = Endpoint(
        method: "POST", template: "/api/v2/analytics/queues/observations/query",
        permission: "analytics:queueObservation:view",
        answer: AnswerDecoder(fuzzName: "observations") { json throws(JSONDecodingError) in
            var observed = QueueObservations()
            try observed.add(json)
            return observed
        })
}
