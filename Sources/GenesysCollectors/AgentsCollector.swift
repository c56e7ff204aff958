import FoundationEssentials
import GenesysAPI
import GenesysAuth
import GenesysBase
import GenesysJSON
import GenesysNotifications
import GenesysTelemetry
import Prometheus
import Synchronization

/// Agents per division: the active users from the user listing (listed at most every `listing-interval`), their
/// routing status and presence now from the user observations, and their time in each status from the user
/// aggregates in queue_performance's windows (consecutive whole minutes ending `lag` before now, added to counters,
/// so `increase()` is exact and a restart starts from its own start). Users go to both queries in batches of
/// `AnalyticsWindows.batchSize` `userId` predicates. Org presence ids become system presences through the org's
/// mapping, which the aggregates answers carry. Per-agent series are opt-in and capped (`per-agent-max`).
///
/// In stream mode (the default, `--collector.agents.mode=stream`) the status and presence counts follow each listed
/// user's `v2.users.{id}.routingStatus` and `v2.users.{id}.presence` topics on the org's notification stream; the
/// observations query runs at the first poll, every reconcile interval, after a restart of the stream or dropped
/// messages, and at every poll while the stream is down. The time-in-status windows are polled as always.
struct AgentsCollector: StreamingCollector {
    static let name = "agents"
    static let help = "Agents per division: status, presence, time in each (off: 2 calls/poll)."
    /// Off by default: two more requests per org and poll (observations, and the time-in-status window) cost a
    /// 200-org fleet about 2.2% of a core and 11 MiB, past the fleet's 10% and 150 MiB (benchmarks/README.md).
    static let enabledByDefault = false
    static let options =
        [
            CollectorOption(
                name: "lag", valueName: "duration",
                help: "Windows end this long before now, so late data has settled (2m)."),
            CollectorOption(
                name: "listing-interval", valueName: "duration",
                help: "List users at most this often; 0s: every poll (default 5m)."),
            CollectorOption(
                name: "per-agent-max", valueName: "n",
                help: "Routing status series for at most this many agents (default 0)."),
        ] + StreamOptions.options(perChannel: "500 users")
    static let defaultListingInterval: Duration = .seconds(300)
    /// Users per listing page: the SDK states no maximum, and Genesys' own Terraform provider lists users 500 a page
    /// (MyPureCloud/terraform-provider-genesyscloud, `GetAllUserFn`).
    static let listingPageSize = 500
    static let windowMetrics = ["tAgentRoutingStatus", "tSystemPresence"]
    static let observationMetrics = ["oUserRoutingStatuses", "oUserPresences"]
    /// The SDK's `RoutingStatus.status` values (purecloudplatformclientv2 269), in the queue families' order; any
    /// other value is counted as `UNKNOWN`, like an unmapped presence.
    static let routingStatuses = QueueObservations.routingStatuses
    static let systemPresences = PresenceMapping.systemPresences
    static let unknown = PresenceMapping.unknown
    /// The division labels of a user the listing does not name (or names without a division).
    static let unknownDivision = DirectoryUser.Division(id: "unknown", name: "unknown")

    struct Settings: Equatable {
        var lag = QueuePerformanceCollector.defaultLag
        var listingInterval = AgentsCollector.defaultListingInterval
        var perAgentMax = 0
        var stream = StreamOptions()
    }

    let endpoints: [Endpoint]
    private let settings: Settings
    private let streamed = StreamedAgents()
    private let cursor = WindowCursor()
    private let lastListing = RecentResult<[DirectoryUser]>()
    /// The org's presence mapping as the last aggregates answers carried it.
    private let mapping = LastPresenceMapping()
    /// Whether the extra minute was asked for the mapping already: an org whose answers carry none is asked once.
    private let mappingAsked = OnceFlag()
    private let divisionChange = ChangeDetector<Set<String>>()
    private let users: GaugeSeriesSet
    private let byStatus: GaugeSeriesSet
    private let byPresence: GaugeSeriesSet
    private let perAgent: GaugeSeriesSet
    private let statusSeconds: CounterSeriesSet
    private let presenceSeconds: CounterSeriesSet
    private let registry: PrometheusCollectorRegistry

    static func endpoints(grant: OAuthGrant) -> [Endpoint] {
        [.users, .userObservations, .userAggregates] + NotificationCheck.endpoints
    }

    /// The listing asks for one active user; the observations and the last settled minute's aggregates are of that
    /// user (of nobody, an empty filter Genesys refuses, when the org has none: then only the listing is checked).
    static func check(
        _ endpoint: Endpoint, api: GenesysAPIClient, probe: inout CheckProbe
    ) async throws(APIError)
        -> APIResult?
    {
        let listing = try await api.get(.users, query: [("pageSize", "1"), ("pageNumber", "1"), ("state", "active")])
        guard endpoint != .users else { return listing }
        guard let id = (try? listing.json.elements("entities").first?.string("id")).flatMap({ $0 }) else {
            return nil
        }
        if NotificationCheck.endpoints.contains(endpoint) {
            return try await NotificationCheck.check(
                endpoint, api: api, probe: &probe, topic: NotificationMessage.routingStatusTopic(userID: id),
                permission: "the permission to view users' routing status")
        }
        if endpoint == .userObservations { return try await api.post(endpoint, body: observationQuery(for: [id])) }
        return try await api.post(
            endpoint,
            body: AnalyticsWindows.lastSettledMinuteBody(
                groupBy: ["userId"], dimension: "userId", ids: [id], metrics: windowMetrics))
    }

    static func validate(options: [String: String]) throws(ConfigurationError) {
        _ = try settings(options)
    }

    static func settings(_ options: [String: String]) throws(ConfigurationError) -> Settings {
        var settings = Settings()
        settings.lag =
            try CollectorOptionValue.duration(options, "lag", of: name, least: .zero, most: .seconds(3600))
            ?? settings.lag
        settings.listingInterval =
            try CollectorOptionValue.duration(options, "listing-interval", of: name, least: .zero)
            ?? settings.listingInterval
        settings.perAgentMax =
            try CollectorOptionValue.wholeNumber(options, "per-agent-max", of: name, in: 0...100_000)
            ?? settings.perAgentMax
        settings.stream = try StreamOptions.parse(options, of: name)
        return settings
    }

    static func make(store: MetricStore, grant: OAuthGrant, options: [String: String]) -> Self {
        Self(store: store, settings: (try? settings(options)) ?? Settings())
    }

    init(store: MetricStore, settings: Settings) {
        self.settings = settings
        endpoints =
            [.users, .userObservations, .userAggregates]
            + (settings.stream.streaming ? NotificationCheck.endpoints : [])
        registry = store.registry
        users = GaugeSeriesSet(
            store: store, name: "genesys_agents_users", help: "Active users in the division (the user listing).")
        byStatus = GaugeSeriesSet(
            store: store, name: "genesys_agents_by_routing_status",
            help: "Active users by routing status (oUserRoutingStatuses); every status, 0 included.")
        byPresence = GaugeSeriesSet(
            store: store, name: "genesys_agents_by_presence",
            help: "Active users by system presence (oUserPresences mapped); every presence, 0 included.")
        perAgent = GaugeSeriesSet(
            store: store, name: "genesys_agent_routing_status",
            help: "The agent's routing status: 1 for the current one, 0 for the others (per-agent-max agents).")
        statusSeconds = CounterSeriesSet(
            store: store, name: "genesys_agent_routing_status_seconds_total",
            help: "Time the division's agents spent in the routing status, summed (tAgentRoutingStatus).")
        presenceSeconds = CounterSeriesSet(
            store: store, name: "genesys_agent_presence_seconds_total",
            help: "Time the division's agents spent in the system presence, summed (tSystemPresence).")
    }

    func collect(_ context: CollectorContext) async throws(APIError) -> Publication {
        let started = context.clock.now
        let listed = try await listedUsers(context)
        let ids = listed.map(\.id)
        let stream = settings.stream
        var observed = UserObservations()
        if !stream.streaming || streamed.pollNeeded(now: started, reconcileInterval: stream.reconcileInterval) {
            let seen = streamed.pollStarting()
            for batch in AnalyticsWindows.batches(ids) {
                let result = try await context.api.post(.userObservations, body: Self.observationQuery(for: batch))
                try context.api.decode(.userObservations, result) { json throws(JSONDecodingError) in
                    try observed.add(json)
                }
            }
            if stream.streaming { streamed.replace(observed, listed: listed, at: started, seen: seen) }
        } else {
            observed = streamed.current(listed: listed)  // streaming: current without asking
        }
        let settled = QueuePerformanceCollector.settledEnd(
            now: QueuePerformanceCollector.millis(context.clock.unixNow), lagMillis: settings.lag.wholeMilliseconds)
        let start = cursor.start(orBegin: settled)
        let end = min(settled, start + QueuePerformanceCollector.longestWindowMillis)
        let counted = try await Self.aggregates(context, from: start, to: end, ids: ids)
        var known = mapping.value
        known.merge(counted.mapping)
        if known.isEmpty, !mappingAsked.isSet, let first = AnalyticsWindows.batches(ids).first {
            // The first poll counts no window, but the presences need the org's mapping: the last settled minute's
            // answer carries it (counted by nobody).
            known.merge(
                try await Self.aggregates(context, from: settled - 60_000, to: settled, ids: Array(first)).mapping)
        }
        mappingAsked.set()
        mapping.store(known)
        cursor.advance(to: max(start, end))
        let series = AgentSeries(
            listed: listed, observed: observed, counted: counted, mapping: known, perAgentMax: settings.perAgentMax)
        let windowEndSeconds = Double(max(start, end)) / 1000
        return {
            [users, byStatus, byPresence, perAgent, statusSeconds, presenceSeconds, registry, divisionChange] in
            users.publish(series.users)
            byStatus.publish(series.byStatus)
            byPresence.publish(series.byPresence)
            perAgent.publish(series.perAgent)
            statusSeconds.add(series.statusSeconds)
            presenceSeconds.add(series.presenceSeconds)
            if divisionChange.changed(to: series.divisionIDs) {
                let kept = series.divisionIDs.union([Self.unknownDivision.id])
                statusSeconds.keep(label: "division_id", in: kept)
                presenceSeconds.keep(label: "division_id", in: kept)
            }
            registry.gauge(
                "genesys_agents_window_end_timestamp_seconds",
                "End of the last user-aggregates window added to the genesys_agent_*_seconds_total counters."
            ).set(windowEndSeconds)
        }
    }

    var notificationChannels: Int? { settings.stream.notificationChannels }

    /// Stream mode: follows the listed users' routing status and presence topics on the org's notification stream
    /// and publishes the counts they give, at most every `StreamPublisher.minInterval`. Poll mode: nothing.
    func stream(_ context: CollectorContext, publish: @escaping @Sendable (@escaping Publication) -> Void) async {
        guard settings.stream.streaming, let hub = context.notifications else { return }
        streamed.attach(hub)
        let streamed = streamed
        let publisher = StreamPublisher(clock: context.clock, metrics: hub.metrics, ticker: hub.ticker) {
            [mapping, perAgentMax = settings.perAgentMax, byStatus, byPresence, perAgent] in
            let known = mapping.value
            guard let (listed, observed, arrivals) = streamed.applyPending(mapping: known) else { return nil }
            let series = AgentSeries(
                listed: listed, observed: observed, counted: UserAggregates(), mapping: known,
                perAgentMax: perAgentMax)
            publish {
                byStatus.publish(series.byStatus)
                byPresence.publish(series.byPresence)
                perAgent.publish(series.perAgent)
            }
            return arrivals
        }
        hub.join(
            Self.name, topics: { streamed.topics },
            deliver: { message, receivedAt in
                if streamed.enqueue(message, receivedAt: receivedAt) { publisher.changed() }
            })
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await streamed.usersKnown()
                hub.topicsChanged()
            }
            await publisher.run()
            group.cancelAll()
        }
    }

    /// Every batch's aggregates over `[start, end)` (none when the window is empty).
    static func aggregates(
        _ context: CollectorContext, from start: Int64, to end: Int64, ids: [String]
    ) async throws(APIError) -> UserAggregates {
        var aggregates = UserAggregates()
        guard end > start else { return aggregates }
        for batch in AnalyticsWindows.batches(ids) {
            let body = AnalyticsWindows.body(
                from: start, to: end, groupBy: ["userId"], dimension: "userId", ids: batch, metrics: windowMetrics)
            let result = try await context.api.post(.userAggregates, body: body)
            try context.api.decode(.userAggregates, result) { json throws(JSONDecodingError) in
                try aggregates.add(json)
            }
        }
        return aggregates
    }

    /// `{"filter":{"type":"or","predicates":[userId…]},"metrics":["oUserRoutingStatuses","oUserPresences"]}`.
    static func observationQuery(for ids: some Collection<String>) -> [UInt8] {
        let predicates = ids.map {
            "{\"type\":\"dimension\",\"dimension\":\"userId\",\"operator\":\"matches\",\"value\":\(JSONText.quoted($0))}"
        }
        let body =
            "{\"filter\":{\"type\":\"or\",\"predicates\":[\(predicates.joined(separator: ","))]},"
            + "\"metrics\":[\(observationMetrics.map(JSONText.quoted).joined(separator: ","))]}"
        return Array(body.utf8)
    }

    /// The last listing while it is younger than the listing interval, else a new one (active users only).
    private func listedUsers(_ context: CollectorContext) async throws(APIError) -> [DirectoryUser] {
        if let recent = lastListing.recent(at: context.clock.now, within: settings.listingInterval) { return recent }
        let all = try await EntityListing.all(
            .users, context, pageSize: Self.listingPageSize, query: [("state", "active")]
        ) {
            json throws(JSONDecodingError) in try DirectoryUser(json)
        }
        lastListing.store(all, at: context.clock.now)
        return all
    }

    /// The label of a routing status qualifier: an SDK value, else `UNKNOWN`.
    static func statusLabel(_ qualifier: String) -> String {
        routingStatuses.contains(qualifier) ? qualifier : unknown
    }

    /// The label of an org presence id: its system presence through the mapping; a qualifier that is itself a
    /// system presence stays one (should Genesys qualify by system presence); anything else `UNKNOWN`.
    static func presenceLabel(_ qualifier: String, _ mapping: PresenceMapping) -> String {
        let mapped = mapping.systemPresence(of: qualifier)
        if mapped != unknown { return mapped }
        return systemPresences.contains(qualifier) ? qualifier : unknown
    }
}

/// One poll's series: counts per division from the listing and the observations, the window's time per division
/// from the aggregates, and the capped per-agent state sets.
struct AgentSeries: Sendable {
    typealias Series = [(labels: [(String, String)], value: Double)]

    let divisionIDs: Set<String>
    let users: Series
    let byStatus: Series
    let byPresence: Series
    let perAgent: Series
    let statusSeconds: Series
    let presenceSeconds: Series

    init(
        listed: [DirectoryUser], observed: UserObservations, counted: UserAggregates, mapping: PresenceMapping,
        perAgentMax: Int
    ) {
        typealias Agents = AgentsCollector
        var divisions: [String: DirectoryUser.Division] = [:]
        var divisionOfUser: [String: DirectoryUser.Division] = [:]
        var userCount: [String: Double] = [:]
        var statusCount: [String: [String: Double]] = [:]
        var presenceCount: [String: [String: Double]] = [:]
        for user in listed {
            let division = user.division ?? Agents.unknownDivision
            if divisions[division.id] == nil { divisions[division.id] = division }
            divisionOfUser[user.id] = divisions[division.id]
            userCount[division.id, default: 0] += 1
            if let status = observed.routingStatus[user.id] {
                statusCount[division.id, default: [:]][Agents.statusLabel(status), default: 0] += 1
            }
            if let presence = observed.presence[user.id] {
                presenceCount[division.id, default: [:]][Agents.presenceLabel(presence, mapping), default: 0] += 1
            }
        }
        // Time per division: a user the listing does not name counts under the unknown division.
        var statusMillis: [String: [String: Double]] = [:]
        var presenceMillis: [String: [String: Double]] = [:]
        for (userID, metrics) in counted.millis {
            let division = divisionOfUser[userID] ?? Agents.unknownDivision
            if divisions[division.id] == nil { divisions[division.id] = division }
            for (qualifier, millis) in metrics["tAgentRoutingStatus"] ?? [:] {
                statusMillis[division.id, default: [:]][Agents.statusLabel(qualifier), default: 0] += millis
            }
            for (qualifier, millis) in metrics["tSystemPresence"] ?? [:] {
                let label = Agents.systemPresences.contains(qualifier) ? qualifier : Agents.unknown
                presenceMillis[division.id, default: [:]][label, default: 0] += millis
            }
        }
        func labels(_ division: DirectoryUser.Division) -> [(String, String)] {
            [("division_id", division.id), ("division_name", division.name)]
        }
        /// Every known value (0 included) and `UNKNOWN` when it has something, per division in `ids`.
        func everyValue(
            _ values: [String], _ counts: [String: [String: Double]], label: String, divisions ids: [String],
            scale: Double = 1
        ) -> Series {
            var series: Series = []
            for id in ids {
                guard let division = divisions[id] else { continue }
                let counts = counts[id] ?? [:]
                for value in values {
                    series.append((labels(division) + [(label, value)], (counts[value] ?? 0) / scale))
                }
                if let unknown = counts[Agents.unknown] {
                    series.append((labels(division) + [(label, Agents.unknown)], unknown / scale))
                }
            }
            return series
        }
        let listedDivisions = Set(listed.map { ($0.division ?? Agents.unknownDivision).id }).sorted()
        let countedDivisions = Set(listedDivisions).union(statusMillis.keys).union(presenceMillis.keys).sorted()
        divisionIDs = Set(listedDivisions)
        users = listedDivisions.compactMap { id in divisions[id].map { (labels($0), userCount[id] ?? 0) } }
        byStatus = everyValue(Agents.routingStatuses, statusCount, label: "routing_status", divisions: listedDivisions)
        byPresence = everyValue(Agents.systemPresences, presenceCount, label: "presence", divisions: listedDivisions)
        statusSeconds = everyValue(
            Agents.routingStatuses, statusMillis, label: "routing_status", divisions: countedDivisions, scale: 1000)
        presenceSeconds = everyValue(
            Agents.systemPresences, presenceMillis, label: "presence", divisions: countedDivisions, scale: 1000)
        var agents: Series = []
        if perAgentMax > 0 {
            let chosen = listed.filter { observed.routingStatus[$0.id] != nil }
                .sorted { ($0.name, $0.id) < ($1.name, $1.id) }.prefix(perAgentMax)
            for user in chosen {
                let current = Agents.statusLabel(observed.routingStatus[user.id] ?? "")
                let base = [
                    ("user_id", user.id), ("user_name", user.name),
                    ("division_id", (user.division ?? Agents.unknownDivision).id),
                ]
                for status in Agents.routingStatuses {
                    agents.append((base + [("routing_status", status)], status == current ? 1 : 0))
                }
                if current == Agents.unknown { agents.append((base + [("routing_status", Agents.unknown)], 1)) }
            }
        }
        perAgent = agents
    }
}

/// The org's presence mapping as the last answers carried it, kept across polls (a poll without an aggregates
/// window has no answer to read it from).
final class LastPresenceMapping: Sendable {
    private let mapping = Mutex(PresenceMapping())

    var value: PresenceMapping { mapping.withLock { $0 } }

    func store(_ value: PresenceMapping) { mapping.withLock { $0 = value } }
}

/// A user as `GET /api/v2/users` lists it (the fields the collector uses of the SDK's `User`).
struct DirectoryUser: Sendable, Equatable, Identified {
    struct Division: Sendable, Equatable {
        let id: String
        let name: String
    }

    let id: String
    let name: String
    let division: Division?

    init(_ json: JSONCursor) throws(JSONDecodingError) {
        id = try json.string("id")
        name = try json.optionalString("name") ?? ""
        let object = try json.optionalField("division")
        if let object, let divisionID = try object.optionalString("id") {
            division = Division(id: divisionID, name: try object.optionalString("name") ?? "")
        } else {
            division = nil
        }
    }
}

/// Answers of `POST /api/v2/analytics/users/observations/query` gathered across batches: by user, the first routing
/// status and the first org presence observed with a count above 0 (a user is in one of each). Qualifiers stay raw;
/// the collector turns them into bounded labels.
struct UserObservations: Sendable, Equatable {
    /// Far above one user's observation count, far below anything that overflows.
    static let plausibleCount: ClosedRange<Double> = 0...1e9

    var routingStatus: [String: String] = [:]
    var presence: [String: String] = [:]

    mutating func add(_ json: JSONCursor) throws(JSONDecodingError) {
        for result in try json.optionalField("results")?.elements() ?? [] {
            let userID = try result.field("group").string("userId")
            for datum in try result.optionalField("data")?.elements() ?? [] {
                let metric = try datum.string("metric")
                let count =
                    try datum.optionalField("stats")?.optionalField("count")?.double(in: Self.plausibleCount) ?? 0
                guard count > 0, let qualifier = try datum.optionalString("qualifier") else { continue }
                switch metric {
                case "oUserRoutingStatuses": routingStatus[userID] = routingStatus[userID] ?? qualifier
                case "oUserPresences": presence[userID] = presence[userID] ?? qualifier
                default: break
                }
            }
        }
    }
}

/// Answers of `POST /api/v2/analytics/users/aggregates/query` gathered across batches: by user, metric and qualifier
/// (routing status or presence), the milliseconds summed over the answer's intervals; and the org's presence mapping
/// the answers carry.
struct UserAggregates: Sendable, Equatable {
    /// Far above a window's time (a user's day is 8.64e7 ms), far below Double's exact integers.
    static let mostMillis: ClosedRange<Double> = 0...3.2e13

    var millis: [String: [String: [String: Double]]] = [:]
    var mapping = PresenceMapping()

    mutating func add(_ json: JSONCursor) throws(JSONDecodingError) {
        try mapping.add(answer: json)
        for result in try json.optionalField("results")?.elements() ?? [] {
            let userID = try result.field("group").string("userId")
            for interval in try result.optionalField("data")?.elements() ?? [] {
                for metric in try interval.optionalField("metrics")?.elements() ?? [] {
                    let name = try metric.string("metric")
                    let qualifier = try metric.optionalString("qualifier") ?? ""
                    guard let sum = try metric.optionalField("stats")?.optionalField("sum")?.double(in: Self.mostMillis)
                    else { continue }
                    // Sums of in-range values stay far inside Double's exact range.
                    let total = millis[userID, default: [:]][name, default: [:]][qualifier, default: 0] + sum
                    millis[userID, default: [:]][name, default: [:]][qualifier] = min(total, Self.mostMillis.upperBound)
                }
            }
        }
    }
}

extension Endpoint {
    package static let users = Endpoint(
        method: "GET", template: "/api/v2/users", permission: "directory:user:view",
        answer: AnswerDecoder(fuzzName: "user-page") { json throws(JSONDecodingError) in
            try ListingPage(json) { element throws(JSONDecodingError) in try DirectoryUser(element) }
        })

    package static let userObservations = Endpoint(
        method: "POST", template: "/api/v2/analytics/users/observations/query",
        permission: "analytics:userObservation:view",
        answer: AnswerDecoder(fuzzName: "user-observations") { json throws(JSONDecodingError) in
            var observed = UserObservations()
            try observed.add(json)
            return observed
        })

    package static let userAggregates = Endpoint(
        method: "POST", template: "/api/v2/analytics/users/aggregates/query",
        permission: "analytics:userAggregate:view",
        answer: AnswerDecoder(fuzzName: "user-aggregates") { json throws(JSONDecodingError) in
            var aggregates = UserAggregates()
            try aggregates.add(json)
            return aggregates
        })
}
