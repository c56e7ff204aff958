import GenesysAPI
import GenesysAuth
import GenesysJSON
import GenesysTelemetry
import Prometheus

/// Live queue observations in one batched query: conversations waiting, interacting and alerting by media type, when
/// the longest-waiting one started, and agents by routing status and system presence.
struct ObservationCollector: Collector {
    static let name = "observations"
    static let help = "Live queue observations: waiting, oldest waiting, agents by status."
    let endpoints: [Endpoint] = [.queueObservations]
    private let waiting: GaugeSeriesSet
    private let interacting: GaugeSeriesSet
    private let alerting: GaugeSeriesSet
    private let oldestWaiting: GaugeSeriesSet
    private let agentsOnQueue: GaugeSeriesSet
    private let agentsByStatus: GaugeSeriesSet
    private let agentsByPresence: GaugeSeriesSet

    static func make(store: MetricStore, grant: OAuthGrant, options: [String: String]) -> Self {
        Self(store: store)
    }

    static func endpoints(grant: OAuthGrant) -> [Endpoint] { [.queueObservations] }

    /// Observes the queue the queues check found; nothing to ask without one.
    static func check(
        _ endpoint: Endpoint, api: GenesysAPIClient, probe: inout CheckProbe
    ) async throws(APIError)
        -> APIResult?
    {
        guard let id = probe.firstQueueID else { return nil }
        return try await api.post(endpoint, body: query(for: [RoutingQueue(id: id, name: "")]))
    }

    init(store: MetricStore) {
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
        let queues = try await QueueQuery.selectedQueues(context)
        var observed = QueueObservations()
        for batch in QueueQuery.batches(queues) {
            let result = try await context.api.post(.queueObservations, body: Self.query(for: batch))
            try context.api.decode(.queueObservations, result) { json throws(JSONDecodingError) in
                try observed.add(json)
            }
        }
        let series = ObservationSeries(observed, queues: queues)
        return {
            [observed, waiting, interacting, alerting, oldestWaiting, agentsOnQueue, agentsByStatus, agentsByPresence]
            in
            waiting.publish(series.byMedia(observed.waiting))
            interacting.publish(series.byMedia(observed.interacting))
            alerting.publish(series.byMedia(observed.alerting))
            oldestWaiting.publish(series.oldestWaiting)
            agentsOnQueue.publish(series.byQueue(observed.onQueueUsers))
            agentsByStatus.publish(series.agentsByStatus)
            agentsByPresence.publish(series.agentsByPresence)
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
