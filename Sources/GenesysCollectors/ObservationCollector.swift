import GenesysAPI
import GenesysAuth
import GenesysJSON
import GenesysTelemetry
import Prometheus

/// Live queue observations: conversations waiting and interacting by media type, agents on queue.
struct ObservationCollector: Collector {
    static let name = "observations"
    static let help = "Live queue observations: waiting, interacting, agents on queue."
    let endpoints: [Endpoint] = [.queueObservations]
    /// Queue ids per query; the API refuses large predicate lists.
    static let batchSize = 100
    private let waiting: GaugeSeriesSet
    private let interacting: GaugeSeriesSet
    private let agentsOnQueue: GaugeSeriesSet

    static func make(registry: PrometheusCollectorRegistry, grant: OAuthGrant) -> Self { Self(registry: registry) }

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

    init(registry: PrometheusCollectorRegistry) {
        waiting = GaugeSeriesSet(
            registry: registry, name: "genesys_queue_conversations_waiting",
            help: "Conversations waiting in the queue, by media type (oWaiting).")
        interacting = GaugeSeriesSet(
            registry: registry, name: "genesys_queue_conversations_interacting",
            help: "Conversations being handled in the queue, by media type (oInteracting).")
        agentsOnQueue = GaugeSeriesSet(
            registry: registry, name: "genesys_queue_agents_on_queue",
            help: "Agents on queue, in any routing status (oOnQueueUsers).")
    }

    func collect(_ context: CollectorContext) async throws(APIError) -> Publication {
        let queues: [RoutingQueue]
        if let known = context.queueDirectory.selectedQueues {
            queues = known
        } else {
            queues = context.queueSelection.select(try await context.api.listRoutingQueues().queues).selected
        }
        var observed = QueueObservations()
        var start = 0
        while start < queues.count {
            let batch = Array(queues[start..<min(start + Self.batchSize, queues.count)])
            let result = try await context.api.post(.queueObservations, body: Self.query(for: batch))
            try context.api.decode(.queueObservations, result) { json throws(JSONDecodingError) in
                try observed.add(json)
            }
            start += Self.batchSize
        }
        let names = Dictionary(queues.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        func series(_ values: [QueueObservations.Key: Double]) -> [(labels: [(String, String)], value: Double)] {
            values.compactMap { key, value in
                guard let name = names[key.queueID] else { return nil }
                var labels = [("queue_id", key.queueID), ("queue_name", name)]
                if let media = key.mediaType { labels.append(("media_type", media)) }
                return (labels, value)
            }
        }
        let waitingSeries = series(observed.waiting), interactingSeries = series(observed.interacting)
        let onQueueSeries = series(observed.onQueueUsers)
        return { [waiting, interacting, agentsOnQueue] in
            waiting.publish(waitingSeries)
            interacting.publish(interactingSeries)
            agentsOnQueue.publish(onQueueSeries)
        }
    }

    static func query(for queues: [RoutingQueue]) -> [UInt8] {
        let predicates = queues.map {
            "{\"type\":\"dimension\",\"dimension\":\"queueId\",\"operator\":\"matches\",\"value\":\(JSONText.quoted($0.id))}"
        }
        let body =
            "{\"filter\":{\"type\":\"or\",\"predicates\":[\(predicates.joined(separator: ","))]},"
            + "\"metrics\":[\"oWaiting\",\"oInteracting\",\"oOnQueueUsers\"]}"
        return Array(body.utf8)
    }
}

/// Observation values gathered across batches.
package struct QueueObservations {
    struct Key: Hashable { let queueID: String; let mediaType: String? }
    var waiting: [Key: Double] = [:]
    var interacting: [Key: Double] = [:]
    var onQueueUsers: [Key: Double] = [:]

    package init() {}

    package mutating func add(_ json: JSONCursor) throws(JSONDecodingError) {
        for result in try json.optionalField("results")?.elements() ?? [] {
            let group = try result.field("group")
            let queueID = try group.string("queueId")
            let mediaType = try group.optionalString("mediaType")
            for datum in try result.optionalField("data")?.elements() ?? [] {
                let count = try datum.optionalField("stats")?.optionalField("count")?.double(in: 0...1e9) ?? 0
                switch try datum.string("metric") {
                case "oWaiting": waiting[Key(queueID: queueID, mediaType: mediaType ?? "unknown"), default: 0] += count
                case "oInteracting":
                    interacting[Key(queueID: queueID, mediaType: mediaType ?? "unknown"), default: 0] += count
                case "oOnQueueUsers": onQueueUsers[Key(queueID: queueID, mediaType: nil), default: 0] += count
                default: break
                }
            }
        }
    }
}
