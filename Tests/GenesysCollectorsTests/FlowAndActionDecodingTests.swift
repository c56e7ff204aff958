import Testing

@testable import GenesysAPI
@testable import GenesysCollectors
@testable import GenesysJSON

/// The flows and data_actions collectors' readings of untrusted answers: numbers range-checked before any
/// arithmetic, flow types and error types Genesys may add (or a hostile server sends) kept to bounded labels.
@Suite("Flows and data actions: decoding hostile answers, flow type and error type labels")
struct FlowAndActionDecodingTests {
    static func aggregates(_ text: String, _ dimensions: [String]) throws -> GroupedAggregates {
        var aggregates = GroupedAggregates(dimensions: dimensions)
        try aggregates.add(JSONParser.document(Array(text.utf8)))
        return aggregates
    }

    @Test func test_flowAggregates_sumIntervalsAndRepeatedGroups() throws {
        let answer = """
            {"results":[{"group":{"flowId":"f"},"data":[
              {"metrics":[{"metric":"nFlow","stats":{"count":2}},{"metric":"tFlowExit","stats":{"count":1,"sum":1500}}]},
              {"metrics":[{"metric":"nFlow","stats":{"count":3}}]}]},
              {"group":{"flowId":"f"},"data":[{"metrics":[{"metric":"nFlow","stats":{"count":4}}]}]}]}
            """
        let stats = try Self.aggregates(answer, ["flowId"]).stats[["f"]]
        #expect(stats?["nFlow"]?.count == 9)
        #expect(stats?["tFlowExit"]?.sumMillis == 1500)
        #expect(
            FlowsCollector.counterSources.first { $0.metric == "tFlowExit" && $0.field == .sumSeconds }?
                .value(stats) == 1.5)
    }

    @Test(arguments: [
        #"{"results":[{"group":{"flowId":"f"},"data":[{"metrics":[{"metric":"nFlow","stats":{"count":1e300}}]}]}]}"#,
        #"{"results":[{"group":{"flowId":"f"},"data":[{"metrics":[{"metric":"nFlow","stats":{"count":-1}}]}]}]}"#,
        #"{"results":[{"group":{"flowId":"f"},"data":[{"metrics":[{"metric":"tFlowExit","stats":{"count":1,"sum":1e308}}]}]}]}"#,
        #"{"results":[{"group":{"flowId":"f"},"data":[{"metrics":[{"metric":"tFlowExit","stats":{"count":1,"sum":-5}}]}]}]}"#,
        #"{"results":[{"group":{"flowId":"f"},"data":[{"metrics":[{"metric":"nFlow","stats":{"count":"7"}}]}]}]}"#,
        #"{"results":[{"group":{"queueId":"q"},"data":[]}]}"#,
        #"{"results":[{"group":{"flowId":7},"data":[]}]}"#,
        #"{"results":{"group":{"flowId":"f"}}}"#,
    ])
    func test_flowAggregates_refuseNumbersOutOfRangeAndMissingOrMistypedGroups(answer: String) {
        #expect(throws: JSONDecodingError.self) { try Self.aggregates(answer, ["flowId"]) }
    }

    @Test func test_actionAggregates_keepErrorTypeNilForSuccesses_andRefuseAMistypedOne() throws {
        let answer = """
            {"results":[{"group":{"actionId":"a"},"data":[{"metrics":[{"metric":"tTotalExecution","stats":{"count":40,"sum":8000}}]}]},
              {"group":{"actionId":"a","errorType":"TIMEOUT"},"data":[{"metrics":[{"metric":"tTotalExecution","stats":{"count":2,"sum":60000}}]}]}]}
            """
        let aggregates = try Self.aggregates(answer, ["actionId", "errorType"])
        #expect(aggregates.stats[["a", nil]]?["tTotalExecution"]?.count == 40)
        #expect(aggregates.stats[["a", "TIMEOUT"]]?["tTotalExecution"]?.sumMillis == 60000)
        #expect(throws: JSONDecodingError.self) {
            try Self.aggregates(
                #"{"results":[{"group":{"actionId":"a","errorType":7},"data":[]}]}"#, ["actionId", "errorType"])
        }
    }

    @Test func test_flowType_isTheSDKsValueInLowerCase_andAnyOtherValueUnknown() throws {
        #expect(FlowsCollector.typeLabel("INBOUNDCALL") == "inboundcall")
        #expect(FlowsCollector.typeLabel("INQUEUESHORTMESSAGE") == "inqueueshortmessage")
        #expect(FlowsCollector.typeLabel("HOLOGRAMCALL") == "unknown")
        #expect(FlowsCollector.typeLabel("inboundcall") == "unknown", "the API sends upper case; anything else is new")
        #expect(FlowsCollector.typeLabel(nil) == "unknown")
        let flow = try ArchitectFlow(JSONParser.document(Array(#"{"id":"f","name":"Main","type":"BOT"}"#.utf8)))
        #expect(flow == ArchitectFlow(id: "f", name: "Main", type: "BOT"))
        #expect(throws: JSONDecodingError.self) {
            try ArchitectFlow(JSONParser.document(Array(#"{"id":"f","type":42}"#.utf8)))
        }
    }

    @Test func test_errorTypes_admitTwentyWellFormedValues_andFoldTheRestIntoOther() {
        let labels = ErrorTypeLabels()
        #expect(labels.label("bad\nline") == "other")
        #expect(labels.label(String(repeating: "x", count: 65)) == "other")
        #expect(labels.label("") == "other")
        #expect(labels.label("other") == "other")
        for n in 1...20 { #expect(labels.label("E\(n)") == "E\(n)") }
        #expect(labels.label("E21") == "other", "the 21st distinct value")
        #expect(labels.label("E7") == "E7", "an admitted value keeps its label")
    }

    @Test func test_actionIncrements_sumGroupsPerAction_foldErrorTypes_andSkipUnselectedActions() throws {
        let answer = """
            {"results":[
              {"group":{"actionId":"a"},"data":[{"metrics":[{"metric":"tTotalExecution","stats":{"count":10,"sum":5000}}]}]},
              {"group":{"actionId":"a","errorType":"bad type"},"data":[{"metrics":[{"metric":"tTotalExecution","stats":{"count":2,"sum":1000}}]}]},
              {"group":{"actionId":"a","errorType":"also bad"},"data":[{"metrics":[{"metric":"tTotalExecution","stats":{"count":3,"sum":1000}}]}]},
              {"group":{"actionId":"x","errorType":"TIMEOUT"},"data":[{"metrics":[{"metric":"tTotalExecution","stats":{"count":1,"sum":1}}]}]}]}
            """
        let counted = try Self.aggregates(answer, DataActionsCollector.groupBy)
        let actions = [try DataAction(JSONParser.document(Array(#"{"id":"a","name":"Lookup"}"#.utf8)))]
        let series = DataActionsCollector.increments(
            counted, keys: Set(counted.stats.keys), names: actions, errorTypes: ErrorTypeLabels())
        #expect(series.executions.map(\.value) == [15])
        #expect(series.seconds.map(\.value) == [7])
        #expect(series.errors.count == 1)
        #expect(series.errors.first?.value == 5)
        #expect(series.errors.first?.labels.last?.1 == "other")
    }
}

extension ArchitectFlow {
    init(id: String, name: String, type: String?) {
        try! self.init(JSONParser.document(Array(JSONText.object(id: id, name: name, type: type).utf8)))
    }
}

extension JSONText {
    fileprivate static func object(id: String, name: String, type: String?) -> String {
        "{\"id\":\(quoted(id)),\"name\":\(quoted(name))" + (type.map { ",\"type\":\(quoted($0))" } ?? "") + "}"
    }
}
