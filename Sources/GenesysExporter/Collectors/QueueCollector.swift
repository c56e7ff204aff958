import Prometheus

/// Routing queues: the exact count, and member counts for the selected queues.
struct QueueCollector: Collector {
    let name = "queues"
    let endpoints: [Endpoint] = [.routingQueues]
    private let registry: PrometheusCollectorRegistry
    private let members: GaugeSeriesSet
    private let joinedMembers: GaugeSeriesSet

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        members = GaugeSeriesSet(
            registry: registry, name: "genesys_queue_members", help: "Members of the routing queue (memberCount).")
        joinedMembers = GaugeSeriesSet(
            registry: registry, name: "genesys_queue_joined_members",
            help: "Members who have joined the routing queue (joinedMemberCount).")
    }

    func collect(_ context: CollectorContext) async throws(APIError) -> Publication {
        let listing = try await context.api.listRoutingQueues()
        let (selected, dropped) = context.queueSelection.select(listing.queues)
        if dropped > 0 {
            context.logger.notice(
                "queue series capped",
                metadata: [
                    "selected": "\(selected.count)", "dropped": "\(dropped)", "flag": "--collector.queues.max",
                ])
        }
        let total = Double(listing.total)
        return { [registry, members, joinedMembers] in
            registry.gauge(
                "genesys_routing_queues", "Routing queues in the org (exact, whatever the name filter and cap)."
            ).set(total)
            members.publish(selected.map { (labels: $0.labels, value: Double($0.memberCount)) })
            joinedMembers.publish(selected.map { (labels: $0.labels, value: Double($0.joinedMemberCount)) })
            context.queueDirectory.update(selected)
        }
    }
}

extension RoutingQueue {
    var labels: [(String, String)] { [("queue_id", id), ("queue_name", name)] }
}
