import Testing

@testable import GenesysAPI
@testable import GenesysCollectors
@testable import GenesysJSON

/// The agents collector's readings of untrusted answers: numbers range-checked before any arithmetic, qualifiers
/// Genesys may add (or a hostile server sends) kept to bounded labels, users without a division kept.
@Suite("Agents: decoding hostile user answers, status and presence labels")
struct AgentsDecodingTests {
    static func json(_ text: String) throws -> JSONCursor { try JSONParser.document(Array(text.utf8)) }

    @Test func test_userAggregates_sumIntervalsByQualifier_andReadTheMapping() throws {
        var aggregates = UserAggregates()
        try aggregates.add(
            Self.json(
                """
                {"systemToOrganizationMappings":{"BREAK":["b1","b2"],"NOT_A_PRESENCE":["x"]},
                 "results":[{"group":{"userId":"u"},"data":[
                  {"interval":"i","metrics":[{"metric":"tAgentRoutingStatus","qualifier":"IDLE","stats":{"sum":1500}},
                                            {"metric":"tSystemPresence","qualifier":"BREAK","stats":{"sum":250}}]},
                  {"interval":"j","metrics":[{"metric":"tAgentRoutingStatus","qualifier":"IDLE","stats":{"sum":500}},
                                            {"metric":"tAgentRoutingStatus","qualifier":"HOLOGRAM","stats":{"sum":7}}]}]}]}
                """))
        #expect(aggregates.millis["u"]?["tAgentRoutingStatus"]?["IDLE"] == 2000)
        #expect(aggregates.millis["u"]?["tSystemPresence"]?["BREAK"] == 250)
        #expect(aggregates.mapping.systemPresence(of: "b2") == "BREAK")
        #expect(aggregates.mapping.systemPresence(of: "x") == "UNKNOWN")
        let series = AgentSeries(
            listed: [], observed: UserObservations(), counted: aggregates, mapping: aggregates.mapping, perAgentMax: 0)
        // A user the listing does not name counts under the unknown division; an unknown status as UNKNOWN.
        #expect(
            series.statusSeconds.contains {
                $0.labels.contains { $0 == ("division_id", "unknown") }
                    && $0.labels.contains { $0 == ("routing_status", "UNKNOWN") } && $0.value == 0.007
            })
        #expect(
            series.statusSeconds.contains { $0.labels.contains { $0 == ("routing_status", "IDLE") } && $0.value == 2 })
    }

    @Test(arguments: [
        #"{"results":[{"group":{"userId":"u"},"data":[{"metrics":[{"metric":"tSystemPresence","qualifier":"AWAY","stats":{"sum":1e308}}]}]}]}"#,
        #"{"results":[{"group":{"userId":"u"},"data":[{"metrics":[{"metric":"tSystemPresence","qualifier":"AWAY","stats":{"sum":-5}}]}]}]}"#,
        #"{"results":[{"group":{"userId":"u"},"data":[{"metrics":[{"metric":"tSystemPresence","qualifier":"AWAY","stats":{"sum":"7"}}]}]}]}"#,
        #"{"results":[{"group":{"userId":"u"},"data":[{"metrics":[{"metric":"tSystemPresence","qualifier":7,"stats":{"sum":1}}]}]}]}"#,
        #"{"results":[{"group":{"queueId":"q"},"data":[]}]}"#,
        #"{"systemToOrganizationMappings":{"AWAY":"not-a-list"}}"#,
        #"{"results":{"group":{"userId":"u"}}}"#,
    ])
    func test_hostileUserAggregates_areRefused(answer: String) throws {
        var aggregates = UserAggregates()
        #expect(throws: JSONDecodingError.self) { try aggregates.add(Self.json(answer)) }
    }

    @Test(arguments: [
        #"{"results":[{"group":{"userId":"u"},"data":[{"metric":"oUserRoutingStatuses","qualifier":"IDLE","stats":{"count":1e300}}]}]}"#,
        #"{"results":[{"group":{"userId":"u"},"data":[{"metric":"oUserRoutingStatuses","qualifier":"IDLE","stats":{"count":-1}}]}]}"#,
        #"{"results":[{"group":{"userId":"u"},"data":[{"metric":"oUserPresences","qualifier":["p"],"stats":{"count":1}}]}]}"#,
        #"{"results":[{"group":{},"data":[]}]}"#,
        #"{"results":[{"group":{"userId":"u"},"data":[{"qualifier":"IDLE","stats":{"count":1}}]}]}"#,
    ])
    func test_hostileUserObservations_areRefused(answer: String) throws {
        var observed = UserObservations()
        #expect(throws: JSONDecodingError.self) { try observed.add(Self.json(answer)) }
    }

    @Test func test_observations_firstQualifierWithACount_isTheUsersState() throws {
        var observed = UserObservations()
        try observed.add(
            Self.json(
                """
                {"results":[{"group":{"userId":"u"},"data":[
                  {"metric":"oUserRoutingStatuses","qualifier":"IDLE","stats":{"count":0}},
                  {"metric":"oUserRoutingStatuses","qualifier":"INTERACTING","stats":{"count":1}},
                  {"metric":"oUserRoutingStatuses","qualifier":"IDLE","stats":{"count":1}},
                  {"metric":"oUserPresences","qualifier":"org-1","stats":{"count":1}}]}]}
                """))
        #expect(observed.routingStatus["u"] == "INTERACTING")
        #expect(observed.presence["u"] == "org-1")
        #expect(AgentsCollector.statusLabel("VACATION") == "UNKNOWN")
        #expect(AgentsCollector.statusLabel("NOT_RESPONDING") == "NOT_RESPONDING")
        #expect(AgentsCollector.presenceLabel("org-1", PresenceMapping()) == "UNKNOWN")
        #expect(AgentsCollector.presenceLabel("MEAL", PresenceMapping()) == "MEAL")
    }

    @Test func test_userListing_keepsUsersWithoutADivision_underUnknown() throws {
        let page = try ListingPage(
            Self.json(
                #"{"entities":[{"id":"a","name":"Ann","division":{"id":"d1","name":"Home"}},{"id":"b"},"#
                    + #"{"id":"c","name":"Cy","division":{"name":"no id"}}],"total":3,"pageCount":1}"#)
        ) { element throws(JSONDecodingError) in try DirectoryUser(element) }
        #expect(page.entities.map(\.division?.id) == ["d1", nil, nil])
        var observed = UserObservations()
        try observed.add(
            Self.json(
                #"{"results":[{"group":{"userId":"b"},"data":[{"metric":"oUserRoutingStatuses","qualifier":"IDLE","stats":{"count":1}}]}]}"#
            ))
        let series = AgentSeries(
            listed: page.entities, observed: observed, counted: UserAggregates(), mapping: PresenceMapping(),
            perAgentMax: 10)
        #expect(series.users.count == 2)
        #expect(
            series.byStatus.contains {
                $0.labels.contains { $0 == ("division_id", "unknown") }
                    && $0.labels.contains { $0 == ("routing_status", "IDLE") } && $0.value == 1
            })
        #expect(series.perAgent.count == AgentsCollector.routingStatuses.count, "only observed users, a state set")
    }
}
