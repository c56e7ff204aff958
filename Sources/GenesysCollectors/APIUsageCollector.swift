import GenesysAPI
import GenesysAuth
import GenesysBase
import GenesysJSON
import GenesysTelemetry

/// The org's API usage today, per OAuth client and by status class (429 included), beside this exporter's own
/// client: which integration spends the org's budget. Genesys answers usage queries asynchronously: the query
/// returns an execution id whose result is fetched until it is complete, with the one backoff policy, at most
/// `mostResultFetches` times and within `--collector.api_usage.result-timeout`; a result that never arrives is an
/// `incomplete` failure, never a hang.
struct APIUsageCollector: Collector {
    static let name = "api_usage"
    static let help = "API requests today per OAuth client, by status class (429s included)."
    static let options = [
        CollectorOption(
            name: "interval", valueName: "duration", help: "Between polls, at least 1s (default 5m)."),
        CollectorOption(
            name: "clients-max", valueName: "n",
            help: "Series for the n busiest clients; others sum as client_id=\"other\" (50)."),
        CollectorOption(
            name: "result-timeout", valueName: "duration",
            help: "Wait this long for a usage query's result, 1s to 10m (default 1m)."),
    ]
    static let defaultInterval: Duration = .seconds(300)
    static let defaultResultTimeout: Duration = .seconds(60)
    /// Result fetches per query at most, whatever the timeout allows.
    static let mostResultFetches = 12
    /// The label value that sums the clients beyond `clients-max`.
    static let otherClients = "other"

    struct Settings: Equatable {
        var interval = APIUsageCollector.defaultInterval
        var clientsMax = 50
        var resultTimeout = APIUsageCollector.defaultResultTimeout
    }

    let endpoints: [Endpoint]
    let pollInterval: Duration?
    private let settings: Settings
    private let clientRequests: CounterSeriesSet
    private let clientResponses: CounterSeriesSet
    private let ownRequests: CounterSeriesSet
    private let ownResponses: CounterSeriesSet
    private let clients: GaugeSeriesSet

    static func endpoints(grant: OAuthGrant) -> [Endpoint] {
        [.usageQuery, .usageQueryResults, .clientUsageQuery, .clientUsageQueryResults]
    }

    /// A query for today and one fetch of its result (which may still be running: the request was allowed).
    static func check(
        _ endpoint: Endpoint, api: GenesysAPIClient, probe: inout CheckProbe
    ) async throws(APIError)
        -> APIResult?
    {
        let now = unixMillis(SystemClock().unixNow)
        let own = ["clientId": api.tokens.configuration.clientID]
        switch endpoint {
        case .usageQuery:
            return try await api.post(endpoint, body: query(from: startOfDay(now), to: now, byClient: true))
        case .clientUsageQuery:
            return try await api.post(
                endpoint, pathParameters: own, body: query(from: startOfDay(now), to: now, byClient: false))
        case .usageQueryResults:
            let started = try await api.post(.usageQuery, body: query(from: startOfDay(now), to: now, byClient: true))
            let execution = try api.decode(.usageQuery, started, UsageExecution.init)
            return try await api.get(endpoint, pathParameters: ["executionId": execution.executionID])
        case .clientUsageQueryResults:
            let started = try await api.post(
                .clientUsageQuery, pathParameters: own, body: query(from: startOfDay(now), to: now, byClient: false))
            let execution = try api.decode(.clientUsageQuery, started, UsageExecution.init)
            return try await api.get(
                endpoint, pathParameters: own.merging(["executionId": execution.executionID]) { $1 })
        default:
            return nil
        }
    }

    static func validate(options: [String: String]) throws(ConfigurationError) {
        _ = try settings(options)
    }

    static func settings(_ options: [String: String]) throws(ConfigurationError) -> Settings {
        var settings = Settings()
        settings.interval =
            try CollectorOptionValue.duration(options, "interval", of: name, least: .seconds(1)) ?? settings.interval
        settings.clientsMax =
            try CollectorOptionValue.wholeNumber(options, "clients-max", of: name, in: 0...10_000)
            ?? settings.clientsMax
        settings.resultTimeout =
            try CollectorOptionValue.duration(
                options, "result-timeout", of: name, least: .seconds(1), most: .seconds(600)) ?? settings.resultTimeout
        return settings
    }

    static func make(store: MetricStore, grant: OAuthGrant, options: [String: String]) -> Self {
        Self(store: store, settings: (try? settings(options)) ?? Settings())
    }

    init(store: MetricStore, settings: Settings) {
        self.settings = settings
        pollInterval = settings.interval
        endpoints = Self.endpoints(grant: .clientCredentials)
        clientRequests = CounterSeriesSet(
            store: store, name: "genesys_api_usage_requests_total",
            help: "API requests of each OAuth client since 00:00 UTC, as Genesys counts them (resets daily).")
        clientResponses = CounterSeriesSet(
            store: store, name: "genesys_api_usage_responses_total",
            help: "API requests of each OAuth client since 00:00 UTC by status class (2xx, 3xx, 4xx, 429, 5xx).")
        ownRequests = CounterSeriesSet(
            store: store, name: "genesys_api_usage_own_client_requests_total",
            help: "This exporter's OAuth client's API requests since 00:00 UTC, as Genesys counts them.")
        ownResponses = CounterSeriesSet(
            store: store, name: "genesys_api_usage_own_client_responses_total",
            help: "This exporter's OAuth client's API requests since 00:00 UTC by status class.")
        clients = GaugeSeriesSet(
            store: store, name: "genesys_api_usage_clients",
            help: "OAuth clients that called the API today, including those summed as client_id=\"other\".")
    }

    typealias Series = [(labels: [(String, String)], value: Double)]

    func collect(_ context: CollectorContext) async throws(APIError) -> Publication {
        let now = Self.unixMillis(context.clock.unixNow)
        let midnight = Self.startOfDay(now)
        let orgRows = try await Self.rows(
            .usageQuery, .usageQueryResults, body: Self.query(from: midnight, to: now, byClient: true),
            timeout: settings.resultTimeout, context)
        let ownRows = try await Self.rows(
            .clientUsageQuery, .clientUsageQueryResults, path: ["clientId": context.api.tokens.configuration.clientID],
            body: Self.query(from: midnight, to: now, byClient: false), timeout: settings.resultTimeout, context)
        let perClient = Self.byClient(orgRows, max: settings.clientsMax)
        let own = Self.total(ownRows)
        // The client id joins these to the per-client series (an alert about other clients leaves this one out).
        let ownLabels = [("client_id", context.api.tokens.configuration.clientID)]
        let clientCount = Set(orgRows.map(\.clientID)).count
        return { [self] in
            clientRequests.publishTotals(perClient.requests)
            clientResponses.publishTotals(perClient.responses)
            ownRequests.publishTotals([(ownLabels, Double(own.requests))])
            ownResponses.publishTotals(Self.responses(own, labels: ownLabels))
            clients.publish([([], Double(clientCount))])
        }
    }

    /// Starts a usage query and fetches its result until it is complete: a running result waits with the one
    /// backoff policy, at most `mostResultFetches` fetches and `timeout` in all.
    static func rows(
        _ queryEndpoint: Endpoint, _ resultEndpoint: Endpoint, path: [String: String] = [:], body: [UInt8],
        timeout: Duration, _ context: CollectorContext
    ) async throws(APIError) -> [UsageRow] {
        let started = context.clock.now
        let answer = try await context.api.post(queryEndpoint, pathParameters: path, body: body)
        let execution = try context.api.decode(queryEndpoint, answer, UsageExecution.init)
        let resultPath = path.merging(["executionId": execution.executionID]) { $1 }
        var backoff = Backoff(initial: .seconds(1), cap: .seconds(15), jitter: .proportional(0.1))
        for fetch in 1...mostResultFetches {
            let result = try await context.api.get(resultEndpoint, pathParameters: resultPath)
            let usage = try context.api.decode(resultEndpoint, result, UsageQueryResult.init)
            switch usage.status {
            case .complete:
                return usage.rows
            case .failed:
                throw context.api.failed(
                    APIError(
                        endpoint: resultEndpoint, reason: .serverError, status: result.response.status,
                        message: "Genesys reports the usage query failed (queryStatus Failed)"))
            case .running, .other:
                break
            }
            let delay = backoff.nextDelay()
            let waited = context.clock.now - started
            guard fetch < mostResultFetches, waited + delay <= timeout else {
                throw context.api.failed(
                    APIError(
                        endpoint: resultEndpoint, reason: .incomplete, status: result.response.status,
                        message: "the usage query's result was still not complete after \(fetch) fetches in "
                            + "\(waited.wholeMilliseconds) ms (limit \(timeout.wholeSeconds) s)"))
            }
            do { try await context.clock.sleep(for: delay) } catch {
                throw APIError(endpoint: resultEndpoint, reason: .incomplete, message: "cancelled while waiting")
            }
        }
        throw APIError(endpoint: resultEndpoint, reason: .incomplete, message: "no result fetch left")
    }

    /// Totals per client id, the busiest `max` with their own series and the rest summed as `other`.
    static func byClient(_ rows: [UsageRow], max: Int) -> (requests: Series, responses: Series) {
        var merged: [String: UsageRow] = [:]
        for row in rows {
            let previous = merged[row.clientID]
            merged[row.clientID] = UsageRow(
                clientID: row.clientID, clientName: previous?.clientName ?? row.clientName,
                requests: (previous?.requests ?? 0) + row.requests,
                byStatus: zip(previous?.byStatus ?? row.byStatus.map { _ in 0 }, row.byStatus).map { $0 + $1 })
        }
        let ranked = merged.values.sorted { ($1.requests, $0.clientID) < ($0.requests, $1.clientID) }
        var kept = Array(ranked.prefix(max))
        let rest = ranked.dropFirst(max)
        if !rest.isEmpty {
            var other = total(Array(rest))
            other = UsageRow(
                clientID: otherClients, clientName: otherClients, requests: other.requests, byStatus: other.byStatus)
            kept.append(other)
        }
        var requests: Series = []
        var responses: Series = []
        for row in kept {
            let labels = [("client_id", row.clientID), ("client_name", row.clientName)]
            requests.append((labels, Double(row.requests)))
            responses += self.responses(row, labels: labels)
        }
        return (requests, responses)
    }

    /// Every status class, 0 included.
    static func responses(_ row: UsageRow, labels: [(String, String)]) -> Series {
        zip(UsageRow.statusClasses, row.byStatus).map { (labels + [("status_class", $0.0.0)], Double($0.1)) }
    }

    /// The rows summed into one (all of this client's rows, or the clients beyond the cap).
    static func total(_ rows: [UsageRow]) -> UsageRow {
        UsageRow(
            clientID: "", clientName: "", requests: rows.map(\.requests).reduce(0, +),
            byStatus: UsageRow.statusClasses.indices.map { index in rows.map { $0.byStatus[index] }.reduce(0, +) })
    }

    /// An `ApiUsageOrganizationQuery` (or `ApiUsageClientQuery`) for the day so far.
    static func query(from start: Int64, to end: Int64, byClient: Bool) -> [UInt8] {
        let interval =
            "\(UTCTimestamp.format(unixMillis: start))/\(UTCTimestamp.format(unixMillis: max(end, start + 1000)))"
        let metrics = ["Requests", "Status200", "Status300", "Status400", "Status429", "Status500"]
        var body = "{\"interval\":\"\(interval)\",\"granularity\":\"Day\","
        body += "\"metrics\":[\(metrics.map { "\"\($0)\"" }.joined(separator: ","))]"
        if byClient { body += ",\"groupBy\":[\"OAuthClientId\"]" }
        return Array((body + "}").utf8)
    }

    static func startOfDay(_ unixMillis: Int64) -> Int64 { unixMillis / 86_400_000 * 86_400_000 }

    /// Whole Unix milliseconds of the exporter's clock, kept inside what `UTCTimestamp` formats.
    static func unixMillis(_ unixSeconds: Double) -> Int64 {
        let clamped = UntrustedNumber.clamped(
            unixSeconds * 1000, to: Double(UTCTimestamp.range.lowerBound)...Double(UTCTimestamp.range.upperBound))
        return Int64(clamped.rounded(.down))
    }
}

extension Endpoint {
    /// Both usage queries answer an execution id; one decoder (and one fuzz target) reads both.
    static let usageExecutionAnswer = AnswerDecoder(fuzzName: "usage-execution") { json throws(JSONDecodingError) in
        try UsageExecution(json)
    }
    static let usageResultAnswer = AnswerDecoder(fuzzName: "usage-results") { json throws(JSONDecodingError) in
        try UsageQueryResult(json)
    }

    package static let usageQuery = Endpoint(
        method: "POST", template: "/api/v2/usage/query", permission: "usage:organization:view",
        answer: usageExecutionAnswer)

    package static let usageQueryResults = Endpoint(
        method: "GET", template: "/api/v2/usage/query/{executionId}/results", permission: "usage:organization:view",
        answer: usageResultAnswer)

    package static let clientUsageQuery = Endpoint(
        method: "POST", template: "/api/v2/oauth/clients/{clientId}/usage/query", permission: "usage:client:view",
        answer: usageExecutionAnswer)

    package static let clientUsageQueryResults = Endpoint(
        method: "GET", template: "/api/v2/oauth/clients/{clientId}/usage/query/results/{executionId}",
        permission: "usage:client:view", answer: usageResultAnswer)
}
