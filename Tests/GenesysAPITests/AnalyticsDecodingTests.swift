import Testing

@testable import GenesysAPI
@testable import GenesysBase
@testable import GenesysJSON

@Suite("Analytics answers: aggregates, observations, estimated wait, timestamps")
struct AnalyticsDecodingTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2026-11-27T09:58:01.123Z", Int64(1_795_773_481_123)),
        ("2024-02-29T23:59:59.9Z", Int64(1_709_251_199_900)),
        ("2026-11-27T09:58:01.123456789Z", Int64(1_795_773_481_123)),
        ("9999-12-31T23:59:59.999Z", UTCTimestamp.range.upperBound),
    ])
    func test_utcTimestamp_parsesTheAPIsInstants(text: String, millis: Int64) {
        #expect(UTCTimestamp.parse(text) == millis)
    }

    @Test(arguments: [
        "", "2026-11-27", "2026-11-27T09:58:01", "2026-11-27T09:58:01.Z", "2025-02-29T00:00:00Z",
        "2026-11-27T24:00:00Z", "2026-11-27T09:58:60Z", "2026-11-27T09:58:01+01:00", "1969-12-31T23:59:59Z",
        "+026-11-27T09:58:01Z", "2026-11-27T09:58:01.1234567890Z", "2026-13-01T00:00:00Z", "２026-11-27T09:58:01Z",
    ])
    func test_utcTimestamp_refusesAnythingElse(text: String) {
        #expect(UTCTimestamp.parse(text) == nil)
    }

    @Test func test_utcTimestamp_formatsAndParsesBack() {
        for millis: Int64 in [0, 1, 59_999, 951_868_800_000, 1_795_773_481_123, UTCTimestamp.range.upperBound] {
            #expect(UTCTimestamp.parse(UTCTimestamp.format(unixMillis: millis)) == millis)
        }
        #expect(UTCTimestamp.format(unixMillis: 1_795_773_481_123) == "2026-11-27T09:58:01.123Z")
        #expect(UTCTimestamp.format(unixMillis: -5) == "1970-01-01T00:00:00.000Z")
    }

    @Test func test_aggregates_sumGroupsAndIntervals_andReadServiceLevel() throws {
        var aggregates = ConversationAggregates()
        try aggregates.add(
            JSONParser.document(
                Array(
                    #"""
                    {"results":[{"group":{"queueId":"q","mediaType":"voice"},"data":[
                      {"metrics":[{"metric":"tAnswered","stats":{"count":2,"sum":1500}}]},
                      {"metrics":[{"metric":"tAnswered","stats":{"count":3,"sum":2500}},
                                  {"metric":"oServiceLevel","stats":{"ratio":0.75,"target":0.8}},
                                  {"metric":"oServiceTarget","stats":{"current":0.9}}]}]}]}
                    """#.utf8)))
        try aggregates.add(JSONParser.document(Array("{}".utf8)))
        let stats = try #require(aggregates.stats[.init(queueID: "q", mediaType: "voice")])
        #expect(stats["tAnswered"] == .init(count: 5, sumMillis: 4000))
        #expect(stats["oServiceLevel"]?.ratio == 0.75)
        #expect(stats["oServiceTarget"]?.target == 0.9)
    }

    /// A query grouped by direction: Genesys' two directions kept, anything else `unknown`, a group without one
    /// `unknown` too; merged per queue and media type, every direction's counts add up.
    @Test func test_aggregates_byDirection_boundTheDirection_andMergeBackExactly() throws {
        var aggregates = ConversationAggregates()
        try aggregates.add(
            JSONParser.document(
                Array(
                    #"""
                    {"results":[
                      {"group":{"queueId":"q","mediaType":"voice","direction":"inbound"},
                       "data":[{"metrics":[{"metric":"tHeld","stats":{"count":2,"sum":1500}}]}]},
                      {"group":{"queueId":"q","mediaType":"voice","direction":"outbound"},
                       "data":[{"metrics":[{"metric":"nOutbound","stats":{"count":4}}]}]},
                      {"group":{"queueId":"q","mediaType":"voice","direction":"<script>sideways</script>"},
                       "data":[{"metrics":[{"metric":"tHeld","stats":{"count":1,"sum":500}}]}]},
                      {"group":{"queueId":"q","mediaType":"voice"},
                       "data":[{"metrics":[{"metric":"tHeld","stats":{"count":3,"sum":600}}]}]}]}
                    """#.utf8)))
        let labelled = aggregates.missingDirectionsUnknown().stats
        #expect(labelled[.init(queueID: "q", mediaType: "voice", direction: "inbound")]?["tHeld"]?.count == 2)
        #expect(labelled[.init(queueID: "q", mediaType: "voice", direction: "outbound")]?["nOutbound"]?.count == 4)
        #expect(
            labelled[.init(queueID: "q", mediaType: "voice", direction: "unknown")]?["tHeld"]
                == .init(count: 4, sumMillis: 1100))
        #expect(Set(labelled.keys.map(\.direction)) == ["inbound", "outbound", "unknown"])
        let merged = aggregates.mergingDirections().stats
        #expect(merged.count == 1)
        #expect(merged[.init(queueID: "q", mediaType: "voice")]?["tHeld"] == .init(count: 6, sumMillis: 2600))
        #expect(merged[.init(queueID: "q", mediaType: "voice")]?["nOutbound"]?.count == 4)
    }

    @Test(arguments: [
        #"{"results":[{"group":{"queueId":"q"},"data":[{"metrics":[{"metric":"nOffered","stats":{"count":1e300}}]}]}]}"#,
        #"{"results":[{"group":{"queueId":"q"},"data":[{"metrics":[{"metric":"tHandle","stats":{"count":1,"sum":-5}}]}]}]}"#,
        #"{"results":[{"group":{"queueId":"q"},"data":[{"metrics":[{"metric":"oServiceLevel","stats":{"ratio":1.5}}]}]}]}"#,
        #"{"results":[{"group":{"mediaType":"voice"},"data":[]}]}"#,
    ])
    func test_aggregates_outOfRangeOrMissing_isADecodingErrorNamingTheField(body: String) throws {
        var aggregates = ConversationAggregates()
        let error = #expect(throws: JSONDecodingError.self) {
            try aggregates.add(JSONParser.document(Array(body.utf8)))
        }
        #expect(error?.path.hasPrefix("results[0]") == true)
    }

    @Test func test_observations_mapPresencesAndFindTheOldestWaiting() throws {
        var observed = QueueObservations()
        try observed.add(
            JSONParser.document(
                Array(
                    #"""
                    {"systemToOrganizationMappings":{"AVAILABLE":["p-available"],"BREAK":["p-break","p-lunch-break"]},
                     "results":[
                      {"group":{"queueId":"q","mediaType":"voice"},"data":[
                        {"metric":"oWaiting","stats":{"count":2},"observations":[
                          {"observationDate":"2026-11-27T09:58:01.123Z"},{"observationDate":"2026-11-27T09:50:00.000Z"}]},
                        {"metric":"oAlerting","stats":{"count":1}}]},
                      {"group":{"queueId":"q"},"data":[
                        {"metric":"oUserRoutingStatuses","qualifier":"IDLE","stats":{"count":2}},
                        {"metric":"oUserRoutingStatuses","qualifier":"SOMETHING_NEW","stats":{"count":7}},
                        {"metric":"oUserPresences","qualifier":"p-break","stats":{"count":1}},
                        {"metric":"oUserPresences","qualifier":"p-lunch-break","stats":{"count":2}},
                        {"metric":"oUserPresences","qualifier":"p-custom","stats":{"count":4}}]}]}
                    """#.utf8)))
        let voice = QueueObservations.MediaKey(queueID: "q", mediaType: "voice")
        #expect(observed.oldestWaiting[voice] == UTCTimestamp.parse("2026-11-27T09:50:00.000Z"))
        #expect(observed.alerting[voice] == 1)
        #expect(observed.routingStatuses["q"] == ["IDLE": 2])
        #expect(observed.presences["q"] == ["BREAK": 3, "UNKNOWN": 4])
    }

    @Test func test_observations_badObservationDate_isADecodingError() {
        var observed = QueueObservations()
        let body =
            #"{"results":[{"group":{"queueId":"q","mediaType":"voice"},"data":[{"metric":"oWaiting","stats":{"count":1},"observations":[{"observationDate":"yesterday"}]}]}]}"#
        let error = #expect(throws: JSONDecodingError.self) { try observed.add(JSONParser.document(Array(body.utf8))) }
        #expect(error?.path == "results[0].data[0].observations[0].observationDate")
    }

    @Test func test_estimatedWait_takesTheFirstEstimate_andRefusesAbsurdOnes() throws {
        func seconds(_ body: String) throws -> Double? {
            try EstimatedWaitTime.seconds(JSONParser.document(Array(body.utf8)))
        }
        #expect(try seconds(#"{"results":[{"formula":"BEST"},{"estimatedWaitTimeSeconds":12.5}]}"#) == 12.5)
        #expect(try seconds(#"{"results":[]}"#) == nil)
        #expect(throws: JSONDecodingError.self) { try seconds(#"{"results":[{"estimatedWaitTimeSeconds":-1}]}"#) }
        #expect(throws: JSONDecodingError.self) { try seconds(#"{"results":[{"estimatedWaitTimeSeconds":1e308}]}"#) }
    }

    @Test func test_endpointPath_encodesIdsSoTheyCannotChangeThePath() {
        let path = Endpoint.estimatedWaitTime.path(["queueId": "../../users/me", "mediaType": "call"])
        #expect(path == "/api/v2/routing/queues/%2E%2E%2F%2E%2E%2Fusers%2Fme/mediatypes/call/estimatedwaittime")
    }
}
