import GenesysAPI

/// One `genesys_queue_*_total` counter and the aggregate statistic it adds up: a metric's count, or its sum
/// (milliseconds) in seconds.
struct CounterSource: Sendable {
    enum Field: Sendable { case count, sumSeconds }

    let name: String
    let help: String
    let metric: String
    let field: Field
    /// Labelled by direction, from a query grouped by direction as well (the conversation counters).
    var byDirection = false

    static let all = [
        CounterSource(
            name: "genesys_queue_offered_total", help: "Conversations offered to the queue (nOffered).",
            metric: "nOffered", field: .count),
        CounterSource(
            name: "genesys_queue_answered_total", help: "Conversations answered by an agent (tAnswered count).",
            metric: "tAnswered", field: .count),
        CounterSource(
            name: "genesys_queue_abandoned_total", help: "Conversations abandoned in the queue (tAbandon count).",
            metric: "tAbandon", field: .count),
        CounterSource(
            name: "genesys_queue_short_abandoned_total",
            help: "Abandons within the short-abandon threshold, a subset of abandoned (tShortAbandon count).",
            metric: "tShortAbandon", field: .count),
        CounterSource(
            name: "genesys_queue_over_sla_total",
            help: "Conversations answered or abandoned after the service-level target (nOverSla).",
            metric: "nOverSla", field: .count),
        CounterSource(
            name: "genesys_queue_answer_seconds_total", help: "Time to answer, summed (tAnswered sum).",
            metric: "tAnswered", field: .sumSeconds),
        CounterSource(
            name: "genesys_queue_handled_total", help: "Conversations handled to the end (tHandle count).",
            metric: "tHandle", field: .count),
        CounterSource(
            name: "genesys_queue_handle_seconds_total",
            help: "Handle time (talk, hold, after-call work), summed (tHandle sum).",
            metric: "tHandle", field: .sumSeconds),
        CounterSource(
            name: "genesys_queue_wait_seconds_total",
            help: "Time conversations waited in the queue, summed (tWait sum).",
            metric: "tWait", field: .sumSeconds),
    ]

    /// This counter's increments from one window for `keys` (0 where the window had nothing), selected queues only
    /// (`names` by queue id). The keys of a counter by direction carry one; the others carry none.
    func increments(
        _ aggregates: ConversationAggregates, keys: Set<ConversationAggregates.Key>, names: [String: String]
    ) -> [(labels: [(String, String)], value: Double)] {
        keys.compactMap { key in
            guard let name = names[key.queueID] else { return nil }
            let stats = aggregates.stats[key]?[metric]
            let value = field == .count ? Double(stats?.count ?? 0) : (stats?.sumMillis ?? 0) / 1000
            var labels = [("queue_id", key.queueID), ("queue_name", name), ("media_type", key.mediaType)]
            if byDirection { labels.append(("direction", key.direction)) }
            return (labels, value)
        }
    }
}
