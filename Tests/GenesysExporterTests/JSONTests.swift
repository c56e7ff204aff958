import GenesysSimulator
import GenesysTestSupport
import Testing

@testable import GenesysExporter

@Suite("JSON layer over jansson")
struct JSONTests {
    @Test func validDocument_decodesEveryType() throws {
        let json = try JSONParser.parse(#"{"s":"héllo","i":42,"d":1.5,"t":true,"f":false,"n":null,"a":[1,"x"],"o":{"k":"v"}}"#)
        let cursor = JSONCursor(json)
        #expect(try cursor.string("s") == "héllo")
        #expect(try cursor.int("i") == 42)
        #expect(try cursor.field("d").double() == 1.5)
        #expect(try cursor.field("t").bool() == true)
        #expect(try cursor.field("f").bool() == false)
        #expect(try cursor.optionalField("n") == nil)
        #expect(try cursor.elements("a").count == 2)
        #expect(try cursor.field("o").string("k") == "v")
    }

    @Test func embeddedNUL_isKept() throws {
        #expect(try JSONCursor(JSONParser.parse(#"{"s":"a\u0000b"}"#)).string("s") == "a\u{0}b")
    }

    /// Keys are read as C strings, so a key with an escaped NUL could alias its prefix: jansson refuses it.
    @Test func keyWithEmbeddedNUL_isAParseError_soItCannotAliasItsPrefix() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(#"{"access_token\u0000x":"forged","access_token":"real"}"#) }
    }

    @Test func invalidDocument_reportsLineColumnAndText() {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse("{\n  \"a\": 1,\n  \"b\": }") }
        #expect(error?.line == 3)
        #expect(error?.column == 8)
        #expect(error?.text.isEmpty == false)
        #expect(error?.description.contains("line 3") == true)
    }

    @Test func truncatedAndEmptyInputs_areErrorsNotCrashes() {
        for text in ["", "{", "[1,2", "{\"a\":", "nul", "\"unterminated"] {
            #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        }
    }

    @Test func deepNesting_withinJanssonsLimit_parses_andBeyond_isAnError() throws {
        let depth = 1000
        let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var value = try JSONParser.parse(nested)
        var levels = 0
        while case .array(let items) = value, let first = items.first {
            value = first
            levels += 1
        }
        #expect(levels == depth - 1)
        let tooDeep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(tooDeep) }
    }

    @Test func missingField_namesItsPath() throws {
        let json = JSONCursor(try JSONParser.parse(#"{"entities":[{"id":"a","name":"x"},{"id":"b"},{"id":"c","name":"z"},{"id":"d"}]}"#))
        let error = #expect(throws: JSONDecodingError.self) {
            for entity in try json.elements("entities") { _ = try entity.string("name") }
        }
        #expect(error == .missingField(path: "entities[1].name"))
    }

    @Test func mistypedField_namesPathExpectedAndFound() throws {
        let json = JSONCursor(try JSONParser.parse(#"{"entities":[{},{},{},{"name":7}]}"#))
        let error = #expect(throws: JSONDecodingError.self) { _ = try json.elements("entities")[3].string("name") }
        #expect(error == .typeMismatch(path: "entities[3].name", expected: "string", found: "integer"))
        #expect(error?.description == "field entities[3].name: expected string, found integer")
    }

    @Test func queuePageOf5000_decodes() throws {
        var text = #"{"entities":["#
        for index in 0..<5000 {
            if index > 0 { text += "," }
            text += #"{"id":"q\#(index)","name":"Queue \#(index)","memberCount":\#(index % 17),"userMemberCount":1,"joinedMemberCount":\#(index % 5)}"#
        }
        text += #"],"pageSize":5000,"pageNumber":1,"total":5000,"pageCount":1}"#
        let page = try RoutingQueuesPage(JSONCursor(JSONParser.parse(text)))
        #expect(page.entities.count == 5000)
        #expect(page.entities[4999] == RoutingQueue(id: "q4999", name: "Queue 4999", memberCount: 4999 % 17, userMemberCount: 1, joinedMemberCount: 4))
        #expect(page.total == 5000)
    }

    @Test func tenThousandParses_leaveNoJanssonAllocationBehind() throws {
        let document = Array(#"{"entities":[{"id":"a","name":"x","division":{"id":"d"},"n":[1,2.5,true,null]}],"total":1}"#.utf8)
        let invalid = Array(#"{"entities":[{"id":"a""#.utf8)
        _ = try JSONParser.parse(document)
        let before = JSONParser.liveAllocationsOnThisThread
        for index in 0..<10_000 {
            if index % 10 == 0 {
                _ = try? JSONParser.parse(invalid)
            } else {
                _ = try JSONParser.parse(document)
            }
        }
        #expect(JSONParser.liveAllocationsOnThisThread == before)
    }
}
