import GenesysAPI
import GenesysJSON

/// What the analytics collectors share: the selected queues, batched, as a `queueId` filter.
enum QueueQuery {
    /// Queue ids per query; the analytics API refuses large predicate lists.
    static let batchSize = 100

    /// The queues the queue collector selected last, or a fresh listing when it has not run (or is disabled).
    static func selectedQueues(_ context: CollectorContext) async throws(APIError) -> [RoutingQueue] {
        if let known = context.queueDirectory.selectedQueues { return known }
        return context.queueSelection.select(try await context.api.listRoutingQueues().queues).selected
    }

    static func batches(_ queues: [RoutingQueue]) -> [ArraySlice<RoutingQueue>] {
        stride(from: 0, to: queues.count, by: batchSize).map { queues[$0..<min($0 + batchSize, queues.count)] }
    }

    /// `{"type":"or","predicates":[…]}` matching these queue ids.
    static func filter(_ queues: some Collection<RoutingQueue>) -> String {
        let predicates = queues.map {
            "{\"type\":\"dimension\",\"dimension\":\"queueId\",\"operator\":\"matches\",\"value\":\(JSONText.quoted($0.id))}"
        }
        return "{\"type\":\"or\",\"predicates\":[\(predicates.joined(separator: ","))]}"
    }
}
