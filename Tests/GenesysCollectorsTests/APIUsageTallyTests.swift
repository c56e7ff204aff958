import Testing

@testable import GenesysCollectors
@testable import GenesysJSON

@Suite("API usage: per-client totals, the cap and the query body")
struct APIUsageTallyTests {
    static func row(_ id: String, _ counts: [Int]) -> UsageRow {
        UsageRow(clientID: id, clientName: "name \(id)", requests: counts.reduce(0, +), byStatus: counts)
    }

    /// The busiest clients keep their series; the rest are summed exactly into `other`, class by class.
    @Test func test_clientsBeyondTheCap_areSummedAsOther() {
        let rows = [
            Self.row("a", [10, 0, 1, 0, 0]), Self.row("b", [500, 0, 0, 7, 0]), Self.row("c", [40, 1, 0, 2, 3]),
            Self.row("d", [40, 1, 0, 2, 3]),
        ]
        let tally = APIUsageCollector.byClient(rows, max: 2)
        #expect(tally.requests.map { $0.labels[0].1 } == ["b", "c", APIUsageCollector.otherClients])
        #expect(tally.requests.map(\.value) == [507, 46, 46 + 11])
        let other = tally.responses.filter { $0.labels[0].1 == "other" }
        #expect(other.map { $0.labels[2].1 } == ["2xx", "3xx", "4xx", "429", "5xx"])
        #expect(other.map(\.value) == [50, 1, 1, 2, 3])
    }

    /// Rows of the same client (one per day or per template) add up; no cap beyond the number of clients.
    @Test func test_rowsOfOneClient_addUp_andNoCapMeansNoOther() {
        let tally = APIUsageCollector.byClient(
            [Self.row("a", [1, 0, 0, 1, 0]), Self.row("a", [2, 0, 0, 0, 0])], max: 50)
        #expect(tally.requests.count == 1)
        #expect(tally.requests.first?.value == 4)
        #expect(tally.responses.map(\.value) == [3, 0, 0, 1, 0])
    }

    @Test func test_query_isTodaySoFarByDay() throws {
        let midnight = APIUsageCollector.startOfDay(1_796_386_000_000)
        #expect(midnight % 86_400_000 == 0)
        let body = String(
            decoding: APIUsageCollector.query(from: midnight, to: midnight, byClient: true), as: UTF8.self)
        let json = try JSONParser.document(Array(body.utf8))
        let interval = try json.string("interval").split(separator: "/")
        #expect(interval.count == 2 && interval[0] != interval[1], "never an empty interval, even at midnight")
        #expect(try json.string("granularity") == "Day")
        #expect(try json.elements("groupBy").map { try $0.string() } == ["OAuthClientId"])
        let own = String(
            decoding: APIUsageCollector.query(from: midnight, to: midnight + 5, byClient: false), as: UTF8.self)
        #expect(!own.contains("groupBy"))
    }

    /// A status Genesys may add is not a failure: the bounded wait decides.
    @Test func test_unknownQueryStatus_isNotComplete() throws {
        let json = try JSONParser.document((Array(#"{"queryStatus":"Paused","results":[]}"#.utf8)))
        #expect(try UsageQueryResult(json).status == .other)
        let bare = try JSONParser.document((Array(#"{"results":[{"requests":3}]}"#.utf8)))
        #expect(try UsageQueryResult(bare).status == .complete)
        let negative = try JSONParser.document((Array(#"{"results":[{"requests":-1}]}"#.utf8)))
        #expect(throws: JSONDecodingError.self) { try UsageQueryResult(negative) }
    }
}
