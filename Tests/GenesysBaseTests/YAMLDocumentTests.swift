import GenesysBase
import Testing

/// The libyaml document layer the orgs file and the web config are read through.
@Suite("YAML documents")
struct YAMLDocumentTests {
    @Test func test_scalarsSequencesAndMappings_keepTheirTextAndOrder() throws {
        let root = try #require(try YAMLDocument("b: 'x'\na: [1, two]\nc:\n  d: ~\n").root)
        let top = try #require(root.mapping)
        #expect(top.keys.compactMap { $0.scalar?.string } == ["b", "a", "c"])
        #expect(top["b"]?.scalar?.string == "x" && top["b"]?.scalar?.isPlain == false)
        #expect(top["a"]?.sequence?.compactMap { $0.scalar?.string } == ["1", "two"])
        #expect(top["c"]?.mapping?["d"]?.scalar?.isNull == true)
        #expect(top["missing"] == nil)
    }

    @Test func test_nullAndBooleans_areYAML11s_andOnlyPlain() throws {
        let top = try #require(try YAMLDocument("a:\nb: 'null'\nc: yes\nd: \"true\"\ne: Off\nf: maybe\n").root?.mapping)
        #expect(top["a"]?.scalar?.isNull == true && top["b"]?.scalar?.isNull == false)
        #expect(top["c"]?.scalar?.bool == true && top["e"]?.scalar?.bool == false)
        #expect(top["d"]?.scalar?.bool == nil && top["f"]?.scalar?.bool == nil)
    }

    @Test func test_emptyText_hasNoRoot() throws {
        #expect(try YAMLDocument("").root == nil)
        #expect(try YAMLDocument("# only a comment\n").root == nil)
    }

    @Test func test_syntaxErrors_giveLibyamlsProblemAndLine_neverTheText() {
        let error = #expect(throws: YAMLDocument.SyntaxError.self) { try YAMLDocument("a: 1\nb: [secret-value\n") }
        #expect(error?.line == 3)
        #expect(error?.problem.contains("secret-value") == false)
        #expect(error?.problem.isEmpty == false)
    }

    @Test func test_aSecondDocument_isRefused() {
        let error = #expect(throws: YAMLDocument.SyntaxError.self) { try YAMLDocument("a: 1\n---\nb: 2\n") }
        #expect(error?.problem == "expected a single document in the stream")
    }

    /// A billion-laughs alias bomb costs what its text costs: each node is stored once.
    @Test func test_aliasBomb_isStoredOnce() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        let top = try #require(try YAMLDocument(text).root?.mapping)
        let deepest = try #require(top["a9"]?.sequence)
        #expect(deepest.count == 10)
        #expect(deepest[0].sequence?.count == 10)
    }
}
