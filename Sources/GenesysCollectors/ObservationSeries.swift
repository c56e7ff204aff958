import GenesysAPI

/// Turns gathered observations into labelled series for the selected queues only (an answer about another queue
/// gets no series, so cardinality stays bounded by the selection).
struct ObservationSeries {
    typealias Series = [(labels: [(String, String)], value: Double)]

    private let queues: [RoutingQueue]
    private let names: [String: String]
    let oldestWaiting: Series
    let agentsByStatus: Series
    let agentsByPresence: Series

    init(_ observed: QueueObservations, queues: [RoutingQueue]) {
        self.queues = queues
        let names = Dictionary(queues.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        self.names = names
        oldestWaiting = observed.oldestWaiting.compactMap { key, started in
            guard let name = names[key.queueID], observed.waiting[key, default: 0] > 0 else { return nil }
            return (
                [("queue_id", key.queueID), ("queue_name", name), ("media_type", key.mediaType)], Double(started) / 1000
            )
        }
        let presences = observed.presences
        var byStatus: Series = []
        var byPresence: Series = []
        for queue in queues {
            // Every status and system presence, 0 included: "no IDLE agent" must be a 0, not a missing series.
            for status in QueueObservations.routingStatuses {
                byStatus.append(
                    (queue.labels + [("routing_status", status)], observed.routingStatuses[queue.id]?[status] ?? 0))
            }
            let counts = presences[queue.id] ?? [:]
            for presence in QueueObservations.systemPresences {
                byPresence.append((queue.labels + [("presence", presence)], counts[presence] ?? 0))
            }
            if let unknown = counts["UNKNOWN"] {
                byPresence.append((queue.labels + [("presence", "UNKNOWN")], unknown))
            }
        }
        agentsByStatus = byStatus
        agentsByPresence = byPresence
    }

    func byMedia(_ values: [QueueObservations.MediaKey: Double]) -> Series {
        values.compactMap { key, value in
            guard let name = names[key.queueID] else { return nil }
            return ([("queue_id", key.queueID), ("queue_name", name), ("media_type", key.mediaType)], value)
        }
    }

    func byQueue(_ values: [String: Double]) -> Series {
        values.compactMap { queueID, value in
            guard let name = names[queueID] else { return nil }
            return ([("queue_id", queueID), ("queue_name", name)], value)
        }
    }
}
