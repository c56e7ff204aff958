import Testing

@testable import GenesysJSON

@Suite("JSON layer over jansson")
struct JSONTests {
    @Test func test_validDocument_decodesEveryType() throws {
        let json = try JSONParser.parse(
            #"{"s":"héllo","i":42,"d":1.5,"t":true,"f":false,"n":null,"a":[1,"x"],"o":{"k":"v"}}"#)
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

    @Test func test_embeddedNUL_isKept() throws {
        #expect(try JSONCursor(JSONParser.parse(#"{"s":"a\u0000b"}"#)).string("s") == "a\u{0}b")
    }

    /// Keys are read as C strings, so a key with an escaped NUL could alias its prefix: jansson refuses it.
    @Test func test_keyWithEmbeddedNUL_isAParseError_soItCannotAliasItsPrefix() {
        #expect(throws: JSONParseError.self) {
            try JSONParser.parse(#"{"access_token\u0000x":"forged","access_token":"real"}"#)
        }
    }

    @Test func test_invalidDocument_reportsLineColumnAndText() {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse("{\n  \"a\": 1,\n  \"b\": }") }
        #expect(error?.line == 3)
        #expect(error?.column == 8)
        #expect(error?.text.isEmpty == false)
        #expect(error?.description.contains("line 3") == true)
    }

    @Test func test_truncatedAndEmptyInputs_areErrorsNotCrashes() {
        for text in ["", "{", "[1,2", "{\"a\":", "nul", "\"unterminated"] {
            #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        }
    }

    @Test func test_deepNesting_withinJanssonsLimit_parses_andBeyond_isAnError() throws {
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

    /// The ways to read a document: jansson's tree in place (API responses), the tape (notification frames) and
    /// the Swift `JSON` value.
    enum Reading: CaseIterable { case inPlace, tape, swiftTree }

    private func cursor(_ text: String, _ reading: Reading) throws -> JSONCursor {
        switch reading {
        case .inPlace: try JSONParser.document(Array(text.utf8))
        case .tape: try JSONTape.document(Array(text.utf8))
        case .swiftTree: JSONCursor(try JSONParser.parse(text))
        }
    }

    @Test(arguments: Reading.allCases)
    func test_missingField_namesItsPath(reading: Reading) throws {
        let json = try cursor(
            #"{"entities":[{"id":"a","name":"x"},{"id":"b"},{"id":"c","name":"z"},{"id":"d"}]}"#, reading)
        let error = #expect(throws: JSONDecodingError.self) {
            for entity in try json.elements("entities") { _ = try entity.string("name") }
        }
        #expect(error == .missingField(path: "entities[1].name"))
    }

    @Test(arguments: Reading.allCases)
    func test_mistypedField_namesPathExpectedAndFound(reading: Reading) throws {
        let json = try cursor(#"{"entities":[{},{},{},{"name":7}]}"#, reading)
        let error = #expect(throws: JSONDecodingError.self) { _ = try json.elements("entities")[3].string("name") }
        #expect(error == .typeMismatch(path: "entities[3].name", expected: "string", found: "integer"))
        #expect(error?.description == "field entities[3].name: expected string, found integer")
    }

    @Test(arguments: Reading.allCases)
    func test_everyType_readsTheSameBothWays(reading: Reading) throws {
        let json = try cursor(
            #"{"s":"a\u0000b","i":-7,"r":2.5,"w":3.0,"t":true,"f":false,"n":null,"a":[1,"x"],"o":{"k":"v"}}"#, reading)
        #expect(try json.string("s") == "a\u{0}b")
        #expect(
            try json.int("i") == -7 && json.field("w").int() == 3 && json.field("r").double() == 2.5
                && json.field("i").double() == -7)
        #expect(try json.field("t").bool() == true && json.field("f").bool() == false)
        #expect(try json.optionalField("n") == nil && json.optionalField("absent") == nil)
        #expect(try json.elements("a").count == 2 && json.field("o").string("k") == "v")
        #expect(throws: JSONDecodingError.typeMismatch(path: "r", expected: "integer", found: "real")) {
            try json.int("r")
        }
        #expect(throws: JSONDecodingError.typeMismatch(path: "a", expected: "object", found: "array")) {
            try json.field("a").string("k")
        }
        #expect(throws: JSONDecodingError.typeMismatch(path: "o", expected: "array", found: "object")) {
            try json.elements("o")
        }
        #expect(throws: JSONDecodingError.typeMismatch(path: "a[1]", expected: "boolean", found: "string")) {
            try json.elements("a")[1].bool()
        }
        #expect(
            json.value
                == (try JSONParser.parse(
                    #"{"s":"a\u0000b","i":-7,"r":2.5,"w":3.0,"t":true,"f":false,"n":null,"a":[1,"x"],"o":{"k":"v"}}"#)))
    }

    /// The leaf reads (`string(_:)`, `optionalInt(_:in:)`, …) build no cursor: their answers and errors are those of
    /// the same read through `field`/`optionalField`, at any depth.
    @Test(arguments: Reading.allCases)
    func test_leafReads_answerAndFailLikeReadsThroughAChildCursor(reading: Reading) throws {
        let json = try cursor(
            #"{"entities":[{"id":"a","n":3,"w":4.0,"s":"x","big":99,"nil":null},{"o":{"n":"7"}}],"pageCount":2}"#,
            reading)
        var elements: [JSONCursor] = []
        try json.field("entities").forEachElement { elements.append($0) }
        #expect(try elements.count == 2 && json.field("entities").count() == 2)
        let first = elements[0]
        #expect(
            try first.string("id") == "a" && first.optionalString("absent") == nil && first.optionalString("nil") == nil
        )
        #expect(try first.optionalInt("n", in: 0...10) == 3 && first.optionalInt("w", in: 0...10) == 4)
        #expect(try first.optionalInt("absent", in: 0...10) == nil && first.int("n") == 3)
        #expect(try json.optionalInt("pageCount", in: 0...5) == 2)
        func sameError(_ fast: () throws -> Any?, _ slow: () throws -> Any?) {
            var fastError: JSONDecodingError?
            var slowError: JSONDecodingError?
            do { _ = try fast() } catch { fastError = error as? JSONDecodingError }
            do { _ = try slow() } catch { slowError = error as? JSONDecodingError }
            #expect(fastError != nil && fastError == slowError)
        }
        sameError({ try first.optionalInt("big", in: 0...10) }, { try first.optionalField("big")?.int(in: 0...10) })
        sameError({ try first.optionalInt("s", in: 0...10) }, { try first.optionalField("s")?.int(in: 0...10) })
        sameError({ try first.optionalString("n") }, { try first.optionalField("n")?.string() })
        #expect(try first.optionalDouble("w", in: 0...10) == 4 && first.optionalDouble("n", in: 0...10) == 3)
        #expect(try first.optionalDouble("absent", in: 0...1) == nil && first.optionalDouble("nil", in: 0...1) == nil)
        sameError(
            { try first.optionalDouble("big", in: 0...10) }, { try first.optionalField("big")?.double(in: 0...10) })
        sameError({ try first.optionalDouble("s", in: 0...10) }, { try first.optionalField("s")?.double(in: 0...10) })
        sameError({ try first.string("absent") }, { try first.field("absent").string() })
        sameError({ try first.int("nil") }, { try first.field("nil").int() })
        sameError({ try elements[1].field("o").int("n") }, { try elements[1].field("o").field("n").int() })
        sameError({ try elements[1].string("o") }, { try elements[1].field("o").string() })
        sameError({ try first.field("id").string("x") }, { try first.field("id").field("x") })
        sameError({ try first.field("id").count() }, { try first.field("id").elements() })
        #expect(throws: JSONDecodingError.invalidValue(path: "entities[0].big", reason: "99 is outside 0...10")) {
            try first.optionalInt("big", in: 0...10)
        }
        #expect(throws: JSONDecodingError.typeMismatch(path: "entities[1].o.n", expected: "integer", found: "string")) {
            try elements[1].field("o").int("n")
        }
    }

    @Test func test_inPlaceDocument_outlivesItsParse_andReleasesEverything() throws {
        let before = JSONParser.liveAllocationsOnThisThread
        var names: [String] = []
        for _ in 0..<1_000 {
            let entities = try JSONParser.document(Array(#"{"entities":[{"name":"x"},{"name":"y"}]}"#.utf8)).elements(
                "entities")
            names.append(try entities[1].string("name"))  // the document itself is no longer referenced
        }
        #expect(names.count == 1_000 && names.allSatisfy { $0 == "y" })
        #expect(JSONParser.liveAllocationsOnThisThread == before)
    }

    @Test func test_tenThousandParses_leaveNoJanssonAllocationBehind() throws {
        let document = Array(
            #"{"entities":[{"id":"a","name":"x","division":{"id":"d"},"n":[1,2.5,true,null]}],"total":1}"#.utf8)
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

@Suite("JSON string literals the exporter writes")
struct JSONTextTests {
    /// Plain ASCII takes the fast path unchanged; anything JSON or a terminal must not see raw is escaped, and every
    /// result parses back to the input.
    @Test(arguments: [
        ("b7e1c7b4-3c5e-4d0a-9f59-5d8e4d6a1f2c", #""b7e1c7b4-3c5e-4d0a-9f59-5d8e4d6a1f2c""#),
        ("Sales queue ~ #1", #""Sales queue ~ #1""#),
        (#"say "hi""#, #""say \"hi\"""#),
        (#"C:\queue"#, #""C:\\queue""#),
        ("line\nbreak\t", #""line\nbreak\t""#),
        ("del\u{7F}", #""del\u007f""#),
        ("bidi\u{202E}", #""bidi\u202e""#),
        ("Zürich", #""Zürich""#),
        ("", #""""#),
    ])
    func test_quoted_escapesWhatItMust_andParsesBack(text: String, expected: String) throws {
        let literal = JSONText.quoted(text)
        #expect(literal == expected)
        let parsed = try JSONParser.parse(Array("[\(literal)]".utf8))
        #expect(parsed == .array([.string(text)]))
    }
}
