import Foundation
import GenesysSimulator
import NIOConcurrencyHelpers

/// A wall clock a test sets by hand (Unix seconds), shared with the simulator through `wallNow`.
final class ManualWallClock: Sendable {
    private let seconds: NIOLockedValueBox<Double>

    init(_ seconds: Double) {
        self.seconds = NIOLockedValueBox(seconds)
    }

    var now: Double { seconds.withLockedValue { $0 } }

    func set(_ value: Double) {
        seconds.withLockedValue { $0 = value }
    }

    func advance(by delta: Double) {
        seconds.withLockedValue { $0 += delta }
    }
}

/// 2026-11-27T12:00:00Z in Unix seconds.
let noonNov27: Double = 1_795_780_800

/// A configuration whose wall clock is `clock`.
func configuration(wallClock clock: ManualWallClock, queueCount: Int = 40) -> SimulatorConfiguration {
    var configuration = SimulatorConfiguration(queueCount: queueCount)
    configuration.wallNow = { clock.now }
    return configuration
}

/// Unix milliseconds as the interval notation writes them (`2026-11-27T10:00:00.000Z`).
func isoMillis(_ millis: Int64) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
}

/// Parses `observationDate` values (ISO 8601 with milliseconds) into Unix seconds.
func unixSeconds(_ iso: String) -> Double? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: iso)?.timeIntervalSince1970
}

let queueMetrics = ["nOffered", "tAnswered", "tAbandon", "tShortAbandon", "nOverSla", "tHandle", "tWait"]

func aggregateBody(
    _ queueIDs: [String], interval: String, metrics: [String], groupBy: [String] = ["queueId", "mediaType"]
) -> [UInt8] {
    let predicates = queueIDs.map { ["type": "dimension", "dimension": "queueId", "operator": "matches", "value": $0] }
    let query: [String: Any] = [
        "interval": interval, "groupBy": groupBy, "filter": ["type": "or", "predicates": predicates],
        "metrics": metrics,
    ]
    return Array(try! JSONSerialization.data(withJSONObject: query))
}

/// Stats by group (`queueId/mediaType`) and metric, from an aggregates reply.
typealias AggregateTable = [String: [String: [String: Any]]]

extension GenesysSimulator {
    /// An aggregates query for these queue ids, interval and metrics.
    func aggregates(
        _ queueIDs: [String], interval: String, metrics: [String] = queueMetrics, token: String
    ) async throws -> HTTPReply {
        try await request(
            "POST", "/api/v2/analytics/conversations/aggregates/query",
            headers: [bearer(token), ("Content-Type", "application/json")],
            body: aggregateBody(queueIDs, interval: interval, metrics: metrics))
    }

    /// The reply's stats by group and metric; throws unless it is a 200 with the request's interval in every datum.
    func aggregateTable(
        _ queueIDs: [String], from: Int64, to: Int64, metrics: [String] = queueMetrics, token: String
    ) async throws -> AggregateTable {
        let interval = isoMillis(from) + "/" + isoMillis(to)
        let reply = try await aggregates(queueIDs, interval: interval, metrics: metrics, token: token)
        guard reply.status == 200, let json = reply.json else {
            throw TestFailure("aggregates failed: \(reply.status) \(reply.text)")
        }
        var table: AggregateTable = [:]
        for result in json["results"] as? [[String: Any]] ?? [] {
            guard let group = result["group"] as? [String: String], let queueID = group["queueId"],
                let mediaType = group["mediaType"], let data = result["data"] as? [[String: Any]], data.count == 1,
                data[0]["interval"] as? String == interval, let metrics = data[0]["metrics"] as? [[String: Any]]
            else { throw TestFailure("unexpected result shape: \(result)") }
            for metric in metrics {
                guard let name = metric["metric"] as? String, let stats = metric["stats"] as? [String: Any] else {
                    throw TestFailure("unexpected metric shape: \(metric)")
                }
                table["\(queueID)/\(mediaType)", default: [:]][name] = stats
            }
        }
        return table
    }
}

/// A stat as Int64 (0 when the metric or the stat is absent, as absent means zero).
func stat(_ table: AggregateTable, _ group: String, _ metric: String, _ key: String = "count") -> Int64 {
    (table[group]?[metric]?[key] as? NSNumber)?.int64Value ?? 0
}
