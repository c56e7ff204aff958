import GenesysAPI
import GenesysAuth
import GenesysBase
import GenesysJSON
import GenesysTelemetry
import Prometheus

/// Genesys' estimated wait per selected queue and media type. One request per queue and media type, so it is off
/// by default and has its own, longer interval.
struct EstimatedWaitCollector: Collector {
    static let name = "estimated_wait"
    static let help = "Estimated wait per selected queue and media type (a request each)."
    static let enabledByDefault = false
    static let options = [
        CollectorOption(
            name: "media-types", valueName: "list",
            help: "Comma-separated: voice, chat, email, callback, message (voice)."),
        CollectorOption(
            name: "interval", valueName: "duration", help: "Between polls, at least 10s (default 2m)."),
    ]
    /// Media types as labelled, with the name the endpoint's path uses.
    static let pathMediaTypes = [
        "voice": "call", "chat": "chat", "email": "email", "callback": "callback", "message": "message",
    ]
    static let defaultInterval: Duration = .seconds(120)

    let endpoints: [Endpoint] = [.estimatedWaitTime]
    let pollInterval: Duration?
    private let mediaTypes: [String]
    private let estimates: GaugeSeriesSet

    static func endpoints(grant: OAuthGrant) -> [Endpoint] { [.estimatedWaitTime] }

    static func check(
        _ endpoint: Endpoint, api: GenesysAPIClient, probe: inout CheckProbe
    ) async throws(APIError)
        -> APIResult?
    {
        guard let id = probe.firstQueueID else { return nil }
        return try await api.get(endpoint, pathParameters: ["queueId": id, "mediaType": "call"])
    }

    static func validate(options: [String: String]) throws(ConfigurationError) {
        _ = try settings(options)
    }

    static func settings(
        _ options: [String: String]
    ) throws(ConfigurationError) -> (
        mediaTypes: [String], interval: Duration
    ) {
        var mediaTypes = ["voice"]
        if let text = options["media-types"] {
            mediaTypes = text.split(separator: ",").map { String($0).lowercased() }
            let unknown = mediaTypes.filter { pathMediaTypes[$0] == nil }
            guard unknown.isEmpty, !mediaTypes.isEmpty else {
                throw .invalid(
                    setting: "--collector.\(name).media-types",
                    reason:
                        "'\(SafeExcerpt.of(text, limit: 80))' is not a list of voice, chat, email, callback, message")
            }
        }
        let interval =
            try CollectorOptionValue.duration(options, "interval", of: name, least: .seconds(10)) ?? defaultInterval
        return (Array(Set(mediaTypes)).sorted(), interval)
    }

    static func make(store: MetricStore, grant: OAuthGrant, options: [String: String]) -> Self {
        let settings = (try? Self.settings(options)) ?? (mediaTypes: ["voice"], interval: defaultInterval)
        return Self(store: store, mediaTypes: settings.mediaTypes, interval: settings.interval)
    }

    init(store: MetricStore, mediaTypes: [String], interval: Duration) {
        self.mediaTypes = mediaTypes
        pollInterval = interval
        estimates = GaugeSeriesSet(
            store: store, name: "genesys_queue_estimated_wait_seconds",
            help: "Genesys' estimated wait for a new conversation in the queue, by media type.")
    }

    /// Requests in flight at once: a few hundred queues take seconds, not minutes, without a burst.
    static let parallelRequests = 8

    func collect(_ context: CollectorContext) async throws(APIError) -> Publication {
        let requests = try await QueueQuery.selectedQueues(context).flatMap { queue in
            mediaTypes.map { (queue: queue, mediaType: $0) }
        }
        var series: [(labels: [(String, String)], value: Double)] = []
        do {
            series = try await withThrowingTaskGroup(of: (labels: [(String, String)], value: Double)?.self) { group in
                var next = 0
                var found: [(labels: [(String, String)], value: Double)] = []
                while next < min(Self.parallelRequests, requests.count) {
                    let request = requests[next]
                    group.addTask { try await Self.estimate(request.queue, request.mediaType, context) }
                    next += 1
                }
                while let result = try await group.next() {
                    if let result { found.append(result) }
                    if next < requests.count {
                        let request = requests[next]
                        group.addTask { try await Self.estimate(request.queue, request.mediaType, context) }
                        next += 1
                    }
                }
                return found
            }
        } catch let error as APIError {
            throw error
        } catch {
            // Only cancellation gets here; the poll loop stops on it.
            throw APIError(endpoint: .estimatedWaitTime, reason: .network, message: "cancelled")
        }
        return { [estimates, series] in estimates.publish(series) }
    }

    /// One queue's estimate for one media type; nil when Genesys gives none or the queue was deleted since listed.
    private static func estimate(
        _ queue: RoutingQueue, _ mediaType: String, _ context: CollectorContext
    ) async throws(APIError) -> (labels: [(String, String)], value: Double)? {
        let result: APIResult
        do {
            result = try await context.api.get(
                .estimatedWaitTime,
                pathParameters: ["queueId": queue.id, "mediaType": pathMediaTypes[mediaType] ?? mediaType])
        } catch  where error.reason == .notFound {
            return nil  // deleted since it was listed: no series, not a failed poll
        }
        let seconds = try context.api.decode(.estimatedWaitTime, result) { json throws(JSONDecodingError) in
            try EstimatedWaitTime.seconds(json)
        }
        return seconds.map { (queue.labels + [("media_type", mediaType)], $0) }
    }
}

extension Endpoint {
    package static let estimatedWaitTime = Endpoint(
        method: "GET", template: "/api/v2/routing/queues/{queueId}/mediatypes/{mediaType}/estimatedwaittime",
        permission: "routing:queue:view",
        answer: AnswerDecoder(fuzzName: "estimated-wait") { json throws(JSONDecodingError) in
            try EstimatedWaitTime.seconds(json)
        })
}
