import Testing

@testable import GenesysJSON

/// The tape must accept exactly what jansson accepts and read the same values (the `json-tape` fuzz target checks
/// the same on mutated inputs); these are the grammar's edges, each checked against jansson itself.
@Suite("JSON tape against jansson")
struct JSONTapeTests {
    static let documents: [String] = [
        // Values jansson accepts.
        #"{"topicName":"v2.analytics.queues.q1.observations","eventBody":{"results":[]}}"#,
        #"{"a":"\u00e9\ud83d\ude00\n\t\\\"\/\b\f\r","b":[1,-0,0.5,-1.25e-3,1E+2,2e-2,0e0,-0.0]}"#,
        #"{"a":1,"a":2}"#, "[9223372036854775807,-9223372036854775808]", #""x\u0000y""#, "1e-400", "[]", "{}",
        " \t\r\n[ 1 , { \"k\" : [ ] } ] \n", "true", "null", "0", "-1", #""é€😀""#, #"{"\u0041":1,"A":2}"#,
        // Values jansson refuses.
        "", " ", "01", "-", "-a", "1.", ".5", "1e", "1e+", "+1", "[1,]", #"{"a":1,}"#, #"{"a"}"#, #"{"a":}"#,
        "[1 2]", #"{"a" 1}"#, "{1:2}", "[9223372036854775808]", "[-9223372036854775809]", "[1e400]", "[-1e400]",
        #"["\ud800"]"#, #"["\udc00"]"#, #"["\ud800\u0041"]"#, #"["\x"]"#, #"["\u12"]"#, #"{"k\u0000":1}"#,
        "[tru]", "[truex]", "nul", "[null1]", "{\"a\":1}x", "[1]]", "\"\t\"", "\"abc", "[", "{", "{\"a\":1",
    ]

    @Test(arguments: documents)
    func test_acceptsAndReadsLikeJansson(text: String) {
        expectAgreement(Array(text.utf8))
    }

    @Test func test_malformedUTF8_isRefusedLikeJansson() {
        let strings: [[UInt8]] = [
            [0xC3, 0xA9], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
            [0xF5, 0x80, 0x80, 0x80], [0x80], [0xE2, 0x82], [0xF0, 0x9F, 0x98, 0x80], [0xEF, 0xBF, 0xBF], [0x7F],
        ]
        for bytes in strings { expectAgreement([0x22] + bytes + [0x22]) }
        expectAgreement([0xC3, 0xA9])
    }

    /// A raw NUL byte is never JSON. jansson skips one after a number or a literal (its reader takes a 0 in its
    /// look-ahead for "nothing saved"); the tape refuses it everywhere.
    @Test func test_rawNULByte_isRefusedEverywhere_whereJanssonSkipsSome() {
        #expect((try? JSONParser.parse([0x5B, 0x31, 0x00, 0x5D])) == .array([.integer(1)]))
        for bytes: [UInt8] in [[0x5B, 0x31, 0x00, 0x5D], [0x74, 0x72, 0x75, 0x65, 0x00], [0x00], [0x22, 0x00, 0x22]] {
            #expect(throws: JSONParseError.self) { try JSONTape.document(bytes) }
        }
    }

    @Test func test_depthLimit_isJanssons() {
        for depth in [2047, 2048, 2049] {
            expectAgreement(Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8))
            expectAgreement(
                Array((String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)).utf8))
        }
        #expect(throws: JSONParseError.self) {
            try JSONTape.document(Array((String(repeating: "{\"a\":", count: 100_000)).utf8))
        }
    }

    @Test func test_members_lastRepeatWins_andEscapedKeysMatch() throws {
        let json = try JSONTape.document(Array(#"{"a":1,"b\u0041":2,"a":3,"n":null}"#.utf8))
        #expect(try json.int("a") == 3)
        #expect(try json.int("bA") == 2)
        #expect(try json.optionalField("n") == nil)
        #expect(try json.optionalField("absent") == nil)
    }

    @Test func test_errors_carryJanssonsLineAndColumn() {
        let error = #expect(throws: JSONParseError.self) {
            try JSONTape.document(Array("{\n  \"a\": 1,\n  \"b\": }".utf8))
        }
        #expect(error?.line == 3 && error?.column == 8)
        #expect(error?.description.contains("line 3") == true)
    }

    private func expectAgreement(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let tape = Result { () throws(JSONParseError) in try JSONTape.document(bytes).value }
        let jansson = Result { () throws(JSONParseError) in try JSONParser.parse(bytes) }
        switch (tape, jansson) {
        case (.success(let fromTape), .success(let fromJansson)):
            #expect(fromTape == fromJansson, "\(bytes.prefix(40))", sourceLocation: sourceLocation)
        case (.failure, .failure): break
        case (.success, .failure(let error)):
            Issue.record(
                "the tape accepted what jansson refused (\(error)): \(bytes.prefix(40))", sourceLocation: sourceLocation
            )
        case (.failure(let error), .success):
            Issue.record(
                "the tape refused what jansson accepted (\(error)): \(bytes.prefix(40))", sourceLocation: sourceLocation
            )
        }
    }
}
