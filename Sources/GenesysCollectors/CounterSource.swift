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

    /// The labels of each key's series, selected queues only (`names` by queue id), and the keys kept. The keys of
    /// a counter by direction carry one; the others carry none.
    static func labels(
        of keys: Set<ConversationAggregates.Key>, names: [String: String], byDirection: Bool
    ) -> (keys: [ConversationAggregates.Key], labels: [[(String, String)]]) {
        var kept: [ConversationAggregates.Key] = []
        var labels: [[(String, String)]] = []
        for key in keys {
            guard let name = names[key.queueID] else { continue }
            kept.append(key)
            labels.append([("queue_id", key.queueID), ("queue_name", name), ("media_type", key.mediaType)])
            if byDirection { labels[labels.count - 1].append(("direction", key.direction)) }
        }
        return (kept, labels)
    }

    /// Each counter's increments from one window for each key (0 where the window had nothing): `sources[n]`'s in
    /// `[n]`. A key's statistics are looked up once for all the counters (a key hashes three strings).
    static func increments(
        _ sources: [CounterSource], _ aggregates: ConversationAggregates, keys: [ConversationAggregates.Key]
    ) -> [[Double]] {
        var values = sources.map { _ in [Double](repeating: 0, count: keys.count) }
        for (index, key) in keys.enumerated() {
            guard let metrics = aggregates.stats[key] else { continue }
            for (position, source) in sources.enumerated() {
                guard let stats = metrics[source.metric] else { continue }
                values[position][index] = source.field == .count ? Double(stats.count) : stats.sumMillis / 1000
            }
        }
        return values
    }
}
