/// Answers of `POST /api/v2/analytics/queues/observations/query`, gathered across batches: conversations by queue and
/// media type (waiting, interacting, alerting, and when the longest-waiting one started), and agents by queue
/// (on queue, by routing status, by system presence).
import GenesysBase
import GenesysJSON

package struct QueueObservations: Sendable, Equatable {
    package struct MediaKey: Hashable, Sendable {
        package let queueID: String
        package let mediaType: String

        package init(queueID: String, mediaType: String) {
            self.queueID = queueID
            self.mediaType = mediaType
        }
    }

    /// oUserRoutingStatuses' qualifiers; any other is ignored, so the label stays bounded.
    package static let routingStatuses = ["IDLE", "INTERACTING", "COMMUNICATING", "NOT_RESPONDING", "OFF_QUEUE"]
    /// Genesys' system presences, the keys of `systemToOrganizationMappings`; an org presence missing from the
    /// mapping is counted as `UNKNOWN`.
    package static let systemPresences = PresenceMapping.systemPresences

    /// Far above any real queue, far below anything that overflows when added up.
    static let plausibleCount: ClosedRange<Double> = 0...1e9

    package var waiting: [MediaKey: Double] = [:]
    package var interacting: [MediaKey: Double] = [:]
    package var alerting: [MediaKey: Double] = [:]
    /// Unix milliseconds at which the longest-waiting conversation started waiting (from oWaiting's details).
    package var oldestWaiting: [MediaKey: Int64] = [:]
    package var onQueueUsers: [String: Double] = [:]
    package var routingStatuses: [String: [String: Double]] = [:]
    /// By queue, then org presence id (mapped to system presences by `presences`).
    private var orgPresences: [String: [String: Double]] = [:]
    private var mapping = PresenceMapping()

    package init() {}

    /// Agents per system presence, by queue.
    package var presences: [String: [String: Double]] {
        orgPresences.mapValues { counts in
            var bySystem: [String: Double] = [:]
            for (orgPresence, count) in counts {
                bySystem[mapping.systemPresence(of: orgPresence), default: 0] += count
            }
            return bySystem
        }
    }

    package mutating func add(_ json: JSONCursor) throws(JSONDecodingError) {
        try mapping.add(answer: json)
        let results = try json.optionalField("results")?.elements() ?? []
        // At most one entry per result in each: growing them as they fill was a tenth of decoding an answer.
        for counts in [\QueueObservations.waiting, \.interacting, \.alerting] {
            self[keyPath: counts].reserveCapacity(self[keyPath: counts].count + results.count)
        }
        for result in results {
            let group = try result.field("group")
            let queueID = try group.string("queueId")
            let media = MediaKey(queueID: queueID, mediaType: try group.optionalString("mediaType") ?? "unknown")
            for datum in try result.optionalField("data")?.elements() ?? [] {
                let count =
                    try datum.optionalField("stats")?.optionalField("count")?.double(in: Self.plausibleCount) ?? 0
                switch try datum.string("metric") {
                case "oWaiting":
                    waiting[media, default: 0] += count
                    for observation in try datum.optionalField("observations")?.elements() ?? [] {
                        let field = try observation.field("observationDate")
                        guard let started = UTCTimestamp.parse(try field.string()) else {
                            throw .invalidValue(path: field.path, reason: "not an ISO-8601 UTC instant")
                        }
                        oldestWaiting[media] = min(oldestWaiting[media] ?? started, started)
                    }
                case "oInteracting": interacting[media, default: 0] += count
                case "oAlerting": alerting[media, default: 0] += count
                case "oOnQueueUsers": onQueueUsers[queueID, default: 0] += count
                case "oUserRoutingStatuses":
                    guard let status = try datum.optionalString("qualifier"), Self.routingStatuses.contains(status)
                    else { continue }
                    routingStatuses[queueID, default: [:]][status, default: 0] += count
                case "oUserPresences":
                    guard let presence = try datum.optionalString("qualifier") else { continue }
                    orgPresences[queueID, default: [:]][presence, default: 0] += count
                default: break
                }
            }
        }
    }
}
