import Foundation
import Testing

@testable import GenesysJSON
@testable import GenesysTelemetry

/// Text from the API (`message`, `error_description`, jansson's excerpts) reaches logs, `check` and `/-/ready`:
/// it can never forge a log line, send escapes to a terminal or hide what a line says.
@Suite("Log escaping and response excerpts")
struct LogEscapingTests {
    /// Every character that must never reach a log line raw.
    static let hostileScalars: [Unicode.Scalar] =
        (Array(0x00...0x1F) + Array(0x7F...0x9F) + [0x2028, 0x2029, 0x202E, 0x2066, 0x200F]).map { Unicode.Scalar($0)! }

    private static func hasRawHostileScalar(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.isControlOrInvisibleLayout }
    }

    @Test func test_predicate_coversC0DelC1SeparatorsAndBidi_butNotOrdinaryText() {
        #expect(Self.hostileScalars.allSatisfy { $0.isControlOrInvisibleLayout })
        let ordinary = "Queue « Support » – 5 waiting, café, 日本語, 😀 ~!@#$%^&*()"
        #expect(!Self.hasRawHostileScalar(ordinary))
    }

    @Test func test_logfmt_escapesEveryHostileCharacter_inValuesAndKeys() {
        for scalar in Self.hostileScalars {
            let text = "a\(Character(scalar))b"
            let line = LineLogHandler.logfmt([("msg", text), ("k\(Character(scalar))ey", "v")])
            #expect(
                !Self.hasRawHostileScalar(line),
                "U+\(String(scalar.value, radix: 16)) passed raw: \(line.debugDescription)")
            #expect(line.hasPrefix("msg=\"a\\"), "\(line.debugDescription)")
        }
    }

    @Test func test_logfmt_forgedLineAndTerminalEscape_stayInsideOneQuotedValue() {
        let forged =
            "token refused\nts=2026-01-01T00:00:00Z level=error msg=\"fake\" \u{1B}[2J\u{1B}[31mred\u{85}\u{2028}end"
        let line = LineLogHandler.logfmt([("msg", "API request failed"), ("error", forged)])
        #expect(!line.contains("\n") && !line.contains("\u{1B}"))
        #expect(
            line.hasSuffix(
                #"error="token refused\nts=2026-01-01T00:00:00Z level=error msg=\"fake\" \u001b[2J\u001b[31mred\u0085\u2028end""#
            ),
            "\(line)")
    }

    @Test func test_logfmt_plainValuesStayUnquoted_andSpacesOrEqualsAreQuoted() {
        #expect(
            LineLogHandler.logfmt([("level", "info"), ("path", "/tmp/x"), ("e", "")]) == #"level=info path=/tmp/x e="""#
        )
        #expect(
            LineLogHandler.logfmt([("msg", "a b"), ("q", "x=y"), ("b", #"back\slash"#)])
                == #"msg="a b" q="x=y" b="back\\slash""#)
    }

    @Test func test_json_escapesEveryHostileCharacter_andRoundTrips() throws {
        for scalar in Self.hostileScalars {
            let text = "a\(Character(scalar))b"
            let line = LineLogHandler.json([("msg", text)])
            #expect(
                !Self.hasRawHostileScalar(line),
                "U+\(String(scalar.value, radix: 16)) passed raw: \(line.debugDescription)")
            guard scalar.value != 0 else { continue }  // jansson refuses \u0000 unless told to allow it
            #expect(try JSONCursor(JSONParser.parse(Array(line.utf8))).string("msg") == text)
        }
    }

    @Test func test_excerpt_isOneCleanLine_withRunsCollapsed() {
        #expect(
            SafeExcerpt.of("  rate limit\r\n\texceeded;\u{1B}[31m retry\u{2028}later \u{202E}txt.exe  ")
                == "rate limit exceeded; [31m retry later txt.exe")
        #expect(SafeExcerpt.of("") == "")
        #expect(SafeExcerpt.of("\u{0}\u{1}\n") == "")
    }

    @Test func test_excerpt_isCutToTheLimit_withAnEllipsis() {
        #expect(SafeExcerpt.of(String(repeating: "x", count: 200)) == String(repeating: "x", count: 200))
        let cut = SafeExcerpt.of(String(repeating: "x", count: 10_000))
        #expect(cut.count == 200 && cut.hasSuffix("…"))
        #expect(SafeExcerpt.of("abcdef", limit: 4) == "abc…")
        // Combining marks: few characters, many scalars; the result still stays small.
        let zalgo = String(repeating: "a" + String(repeating: "\u{301}", count: 50), count: 1000)
        #expect(SafeExcerpt.of(zalgo).unicodeScalars.count <= 800 + 1)
    }
}
