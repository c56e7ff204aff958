/// The parts every analytics aggregates query shares (conversations aside, whose route predates this): the
/// interval, `groupBy`, an optional `or`/`and` filter of one dimension's `matches` predicates and the metrics,
/// checked as the API checks them; a problem answers 400 with Genesys' error body.
struct AnalyticsQueryBody: Sendable {
    let interval: String
    let from: Int64
    let to: Int64
    /// The filter's values of the dimension, nil without a filter (everything matches).
    let ids: [String]?
    let groupBy: [String]
    let metrics: [String]

    struct Problem: Error {
        let message: String
    }

    /// `model` names the SDK body model in the parse error (`FlowAggregationQuery`).
    static func parse(
        _ body: [UInt8], model: String, groupBy allowedGroupBy: Set<Set<String>>, dimension: String,
        metrics known: Set<String>, maxPredicates: Int
    ) -> Result<AnalyticsQueryBody, Problem> {
        guard let root = JSONBody.decode(body) as? [String: Any] else {
            return .failure(Problem(message: "Unable to parse the request body as a \(model)."))
        }
        guard let interval = root["interval"] as? String else {
            return .failure(Problem(message: "The interval is required."))
        }
        let ends = interval.split(separator: "/", omittingEmptySubsequences: false)
        guard ends.count == 2, let from = UTCTimestamp.parse(ends[0]), let to = UTCTimestamp.parse(ends[1]) else {
            return .failure(
                Problem(
                    message:
                        "Invalid interval [\(interval)]: expected two ISO-8601 UTC instants between "
                        + "\(UTCTimestamp.years.lowerBound) and \(UTCTimestamp.years.upperBound) separated by '/'."))
        }
        guard from < to else {
            return .failure(Problem(message: "Invalid interval [\(interval)]: the start must be before the end."))
        }
        guard to - from <= AggregateRoutes.maxSpanMillis else {
            return .failure(Problem(message: "Invalid interval [\(interval)]: an interval may span at most 7 days."))
        }
        guard let groupBy = root["groupBy"] as? [String], allowedGroupBy.contains(Set(groupBy)),
            Set(groupBy).count == groupBy.count
        else {
            let shown = allowedGroupBy.map { "[" + $0.sorted().joined(separator: ",") + "]" }.sorted()
            return .failure(Problem(message: "Only groupBy \(shown.joined(separator: " or ")) is supported."))
        }
        var ids: [String]?
        if let filter = root["filter"] {
            switch Self.ids(filter, dimension: dimension, maxPredicates: maxPredicates) {
            case .success(let values): ids = values
            case .failure(let problem): return .failure(problem)
            }
        }
        guard let metrics = root["metrics"] as? [String], !metrics.isEmpty else {
            return .failure(Problem(message: "At least one metric is required."))
        }
        if let unknown = metrics.first(where: { !known.contains($0) }) {
            return .failure(Problem(message: "Invalid metric: \(unknown)."))
        }
        return .success(
            AnalyticsQueryBody(
                interval: interval, from: from, to: to, ids: ids, groupBy: groupBy, metrics: metrics))
    }

    static func ids(_ value: Any, dimension: String, maxPredicates: Int) -> Result<[String], Problem> {
        guard let filter = value as? [String: Any],
            let type = filter["type"] as? String, type == "or" || type == "and",
            let predicates = filter["predicates"] as? [[String: Any]], !predicates.isEmpty
        else {
            return .failure(Problem(message: "A filter must have a type (or, and) and at least one predicate."))
        }
        guard predicates.count <= maxPredicates else {
            return .failure(
                Problem(
                    message:
                        "The filter contains \(predicates.count) predicates; the maximum allowed is \(maxPredicates)."))
        }
        var ids: [String] = []
        for predicate in predicates {
            guard (predicate["type"] as? String ?? "dimension") == "dimension",
                predicate["dimension"] as? String == dimension,
                (predicate["operator"] as? String ?? "matches") == "matches",
                let value = predicate["value"] as? String
            else {
                return .failure(
                    Problem(message: "Only \(dimension) dimension predicates with operator matches are supported."))
            }
            ids.append(value)
        }
        return .success(ids)
    }
}
