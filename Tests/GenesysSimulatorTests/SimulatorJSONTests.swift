import Testing

@testable import GenesysSimulator

/// The simulator's own JSON writer and its reading through FoundationEssentials' JSONDecoder.
@Suite("Simulator JSON")
struct SimulatorJSONTests {
    @Test func test_writer_sortsKeys_escapesStrings_andWritesWholeNumbersWithoutAFraction() {
        let text = SimulatorJSON.encode([
            "b": [1, 2.5, 3.0, true, JSONNull()] as [Any], "a": "quote \" slash / tab \t bell \u{7}",
        ])
        #expect(text == #"{"a":"quote \" slash / tab \t bell \u0007","b":[1,2.5,3,true,null]}"#)
    }

    @Test func test_valuesJSONCannotCarry_areRefused() {
        #expect(SimulatorJSON.encode(["x": Double.nan]) == nil)
        #expect(SimulatorJSON.encode(["x": Double.infinity]) == nil)
    }

    @Test func test_readingThenWriting_givesTheSameDocument() throws {
        let text = #"{"a":[1,"two",null,{"c":false}],"b":-0.25}"#
        let value = try #require(SimulatorJSON.decode(Array(text.utf8)))
        #expect(SimulatorJSON.encode(value) == text)
        #expect(SimulatorJSON.decode(Array("{oops".utf8)) == nil)
    }
}
