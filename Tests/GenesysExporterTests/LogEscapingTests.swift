import Foundation
import GenesysHTTP
import GenesysJSON
import Testing

@testable import GenesysExporter

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

    @Test func test_apiErrorMessage_fromTheBody_isStrippedAndCapped() {
        let body =
            #"{"message":"denied\n\u001b[2Jlevel=error msg=forged \u2028 \#(String(repeating: "y", count: 1000))","code":"bad\r\ncode"}"#
        let error = GenesysAPIClient.classify(
            endpoint: .routingQueues, response: HTTPResponse(status: 400, body: Array(body.utf8)),
            correlationID: nil)
        #expect(!Self.hasRawHostileScalar(error.message), "\(error.message.debugDescription)")
        #expect(error.message.hasPrefix("HTTP 400 [bad code]: denied [2Jlevel=error msg=forged y"))
        #expect(error.message.count < 500)
    }

    @Test func test_missingPermission_survivesTheExcerpt() {
        let body =
            #"{"message":"You are missing the following permission(s): routing:queue:view","code":"missing.permissions"}"#
        let error = GenesysAPIClient.classify(
            endpoint: .routingQueues, response: HTTPResponse(status: 403, body: Array(body.utf8)),
            correlationID: nil)
        #expect(error.missingPermission == "routing:queue:view")
    }

    @Test func test_tokenErrorDescription_fromTheBody_isStrippedAndCapped() {
        for status in [400, 401] {
            for code in ["invalid_client", "weird\u{1B}]0;title\u{7}"] {
                let body =
                    #"{"error":\#(JSONText.quoted(code)),"error_description":"bad\r\nts=x level=error msg=forged\u0085 \#(String(repeating: "z", count: 1000))"}"#
                let error = TokenEndpoint.classify(
                    failure: HTTPResponse(status: status, body: Array(body.utf8)), grant: .clientCredentials)
                #expect(!Self.hasRawHostileScalar(error.message), "\(error.message.debugDescription)")
                #expect(error.message.contains("bad ts=x level=error msg=forged z"))
                #expect(error.message.count < 600)
            }
        }
    }

    @Test func test_readinessReason_andCheckVerdict_areStripped() {
        var readiness = ReadinessState(pending: ["queues"])
        readiness.finished("queues", failure: "queues: HTTP 500: boom\n\u{1B}[31mforged")
        #expect(!Self.hasRawHostileScalar(readiness.status.reason))
        #expect(readiness.status.reason.contains("boom [31mforged"))

        let row = ConnectivityCheck.Row(
            endpoint: "GET /api/v2/routing/queues", status: "400", latency: .zero,
            verdict: "client_error: HTTP 400: bad\nrow\u{1B}[2J", ok: false)
        let lines = ConnectivityCheck.table([row]).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && !lines.contains { Self.hasRawHostileScalar(String($0)) })  // header and one row
        #expect(row.verdict == "client_error: HTTP 400: bad row [2J")
    }
}
