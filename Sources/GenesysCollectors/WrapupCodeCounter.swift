import GenesysAPI
import GenesysBase
import GenesysJSON
import GenesysTelemetry
import Synchronization

/// queue_performance's opt-in handled counts by wrap-up code (`--collector.queue_performance.wrapup-codes=N`): one
/// more aggregates query per batch of queues and window, grouped by queue and wrap-up code. At most N codes get
/// series of their own, admitted by volume (the busiest of a window first) and never dropped, so every series stays a
/// counter; the rest add up under `other`. Names come from the wrap-up code listing, read again every five minutes or
/// when a window names a code it does not have.
final class WrapupCodeCounter: Sendable {
    static let listingInterval: Duration = .seconds(300)
    static let family = "genesys_queue_wrapup_handled_total"
    /// The label values of everything past the cap, and of conversations handled without a code.
    static let other = "other"
    static let none = "none"

    let most: Int
    private let series: CounterSeriesSet
    private let tracked = Mutex<Set<String>>([])
    private let names = RecentResult<[String: String]>()

    init(store: MetricStore, most: Int) {
        self.most = most
        series = CounterSeriesSet(
            store: store, name: Self.family,
            help: "Conversations handled (tHandle count) by wrap-up code; codes past the cap as 'other'.")
    }

    /// This window's increments, for the selected queues (`queueNames` by id).
    func increments(
        _ queues: [RoutingQueue], from start: Int64, to end: Int64, queueNames: [String: String],
        _ context: CollectorContext
    ) async throws(APIError) -> [(labels: [(String, String)], value: Double)] {
        var handled = WrapupHandled()
        for batch in QueueQuery.batches(queues) {
            let body = Self.query(for: batch, from: start, to: end)
            let result = try await context.api.post(.conversationAggregates, body: body)
            try context.api.decode(.conversationAggregates, result) { json throws(JSONDecodingError) in
                try handled.add(json)
            }
        }
        let codes = Set(handled.counts.values.flatMap(\.keys)).subtracting([""])
        let names = try await codeNames(covering: codes, context)
        let admitted = admit(handled)
        var totals: [[String]: Double] = [:]
        for (queueID, byCode) in handled.counts {
            guard let queueName = queueNames[queueID] else { continue }
            // Every admitted code and `other` get a series for a queue with handled conversations, at 0 if need be.
            for code in admitted { totals[[queueID, queueName, code, names[code] ?? "unknown"], default: 0] += 0 }
            totals[[queueID, queueName, Self.other, Self.other], default: 0] += 0
            for (code, count) in byCode {
                let key: [String] =
                    code.isEmpty
                    ? [queueID, queueName, Self.none, Self.none]
                    : admitted.contains(code)
                        ? [queueID, queueName, code, names[code] ?? "unknown"]
                        : [queueID, queueName, Self.other, Self.other]
                totals[key, default: 0] += Double(count)
            }
        }
        return totals.map { key, value in
            (
                [
                    ("queue_id", key[0]), ("queue_name", key[1]), ("wrapup_code_id", key[2]),
                    ("wrapup_code_name", key[3]),
                ], value
            )
        }
    }

    /// A queue's `other` series at 0 (its increment when nothing past the cap was handled).
    static func otherSeries(queueID: String, queueName: String) -> (labels: [(String, String)], value: Double) {
        (
            [("queue_id", queueID), ("queue_name", queueName), ("wrapup_code_id", other), ("wrapup_code_name", other)],
            0
        )
    }

    func publish(_ increments: [(labels: [(String, String)], value: Double)], selected: Set<String>?) {
        series.add(increments)
        if let selected { series.keep(label: "queue_id", in: selected) }
    }

    /// The codes with series of their own: those admitted before, and this window's busiest while there is room.
    private func admit(_ handled: WrapupHandled) -> Set<String> {
        var volume: [String: Int] = [:]
        for byCode in handled.counts.values {
            for (code, count) in byCode where !code.isEmpty { volume[code, default: 0] += count }
        }
        return tracked.withLock { tracked in
            for (code, _) in volume.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) where tracked.count < most {
                tracked.insert(code)
            }
            return tracked
        }
    }

    /// Names by code id: the last listing while it is younger than the interval and knows every code asked about.
    private func codeNames(
        covering codes: Set<String>, _ context: CollectorContext
    ) async throws(APIError) -> [String: String] {
        if let recent = names.recent(
            at: context.clock.now, within: Self.listingInterval, { codes.isSubset(of: $0.keys) })
        {
            return recent
        }
        let codes = try await EntityListing.all(.wrapupCodes, context) { json throws(JSONDecodingError) in
            try WrapupCode(json)
        }
        let listed = Dictionary(codes.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        names.store(listed, at: context.clock.now)
        return listed
    }

    static func query(for queues: some Collection<RoutingQueue>, from start: Int64, to end: Int64) -> [UInt8] {
        let interval = "\(UTCTimestamp.format(unixMillis: start))/\(UTCTimestamp.format(unixMillis: end))"
        let body =
            "{\"interval\":\"\(interval)\",\"groupBy\":[\"queueId\",\"wrapUpCode\"],"
            + "\"filter\":\(QueueQuery.filter(queues)),\"metrics\":[\"tHandle\"]}"
        return Array(body.utf8)
    }
}

/// A wrap-up code as `GET /api/v2/routing/wrapupcodes` lists it (`WrapupCode`: the id and name the labels use).
struct WrapupCode: Sendable, Equatable, Identified {
    let id: String
    let name: String

    init(_ json: JSONCursor) throws(JSONDecodingError) {
        id = try json.string("id")
        name = try json.optionalString("name") ?? ""
    }
}

extension Endpoint {
    package static let wrapupCodes = Endpoint(
        method: "GET", template: "/api/v2/routing/wrapupcodes", permission: "routing:wrapupCode:view",
        answer: AnswerDecoder(fuzzName: "wrapup-codes") { json throws(JSONDecodingError) in
            try ListingPage(json) { element throws(JSONDecodingError) in try WrapupCode(element) }
        })
}
