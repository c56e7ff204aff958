import GenesysServer
import GenesysTelemetry
import Testing

/// The `Accept` table: client_golang's documented choices (prometheus/common's `TestNegotiateIncludingOpenMetrics`
/// and `TestNegotiateAccept`, wildcard fix of PR 966), Prometheus' own headers, and the two deliberate differences.
@Suite("Exposition format negotiation")
struct ExpositionNegotiationTests {
    static let protobuf = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily"

    static let table: [(accept: String, expected: ExpositionFormat)] = [
        // client_golang's cases for NegotiateIncludingOpenMetrics (of protobuf only the delimited encoding is
        // offered; text and compact-text are Go's debugging formats).
        ("application/openmetrics-text", ExpositionFormat.openMetrics0),
        ("application/openmetrics-text;version=0.0.1; escaping=underscores", .openMetrics0),
        ("application/openmetrics-text;version=1.0.0", .openMetrics1),
        ("application/openmetrics-text;version=2.0.0", .text),
        ("application/openmetrics-text;version=1.0.0; escaping=values;", .openMetrics1),
        ("application/openmetrics-text;version=0.0.4", .text),
        ("text/plain;version=0.0.4", .text),
        ("text/plain;version=0.0.4; escaping=allow-utf-8", .text),
        (protobuf + ";encoding=delimited", .protobuf),
        (protobuf + ";encoding=delimited; escaping=allow-utf-8;", .protobuf),
        (protobuf, .text),
        ("application/vnd.google.protobuf;encoding=delimited", .text),
        (protobuf + ";encoding=compact-text; escaping=underscores", .text),
        // NegotiateAccept's: a higher q wins; */* and text/* fall back to text; an unknown type too.
        (
            "application/openmetrics-text;version=1.0.0;q=0.8, application/openmetrics-text;version=0.0.1;q=0.9",
            .openMetrics0
        ),
        ("*/*", .text),
        ("text/*", .text),
        ("text/plain", .text),
        ("application/unknown", .text),
        ("", .text),
        // Prometheus' scrape headers: 2.42 (OpenMetrics first), 3.x, and with protobuf first for native histograms.
        (
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1", .openMetrics1
        ),
        (
            "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
                + "application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,"
                + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2", .openMetrics1
        ),
        (protobuf + ";encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.1", .protobuf),
        // A browser.
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", .text),
        // Equal weights keep the client's order.
        ("application/openmetrics-text;version=0.0.1, application/openmetrics-text;version=1.0.0", .openMetrics0),
        ("text/plain, application/openmetrics-text;version=1.0.0", .text),
        // The differences from Go: q=0 refuses (Go would still match it), and case does not matter.
        ("application/openmetrics-text;version=1.0.0;q=0", .text),
        ("application/openmetrics-text;version=1.0.0;q=0.000, text/plain;q=0.5", .text),
        ("Application/OpenMetrics-Text ; version=1.0.0", .openMetrics1),
        // Malformed: never an error, at worst text.
        (";;,,/,=;q=,q=2,a/b/c;q=1.", .text),
        ("application/openmetrics-text;version=1.0.0;q=abc", .text),
        ("application/openmetrics-text;version=1.0.0;q=1.5", .text),
        ("application/openmetrics-text;version=1.0.0;q=0.5000", .text),
    ]

    @Test(arguments: table)
    func test_accept_picksTheFormatClientGolangDoes(_ accept: String, _ expected: ExpositionFormat) {
        #expect(ExpositionNegotiation.format(accept: [accept]) == expected, "Accept: \(accept)")
    }

    @Test func test_missingHeader_andSeveralLines() {
        #expect(ExpositionNegotiation.format(accept: []) == .text)
        #expect(
            ExpositionNegotiation.format(accept: ["text/plain;q=0.5", "application/openmetrics-text;version=1.0.0"])
                == .openMetrics1, "the header's lines are one list")
    }

    /// A hostile header costs a bounded amount: clauses past the cap are not read.
    @Test func test_clausesBeyondTheCap_areNotRead() {
        let filler = Array(repeating: "x/y", count: ExpositionNegotiation.mostClauses).joined(separator: ",")
        #expect(ExpositionNegotiation.format(accept: [filler + ",application/openmetrics-text;version=1.0.0"]) == .text)
        #expect(
            ExpositionNegotiation.format(accept: ["application/openmetrics-text;version=1.0.0," + filler])
                == .openMetrics1)
    }

    @Test func test_contentTypes_areClientGolangs() {
        #expect(
            ExpositionFormat.protobuf.contentType
                == "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited")
        #expect(ExpositionFormat.text.contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(
            ExpositionFormat.openMetrics1.contentType == "application/openmetrics-text; version=1.0.0; charset=utf-8")
        #expect(
            ExpositionFormat.openMetrics0.contentType == "application/openmetrics-text; version=0.0.1; charset=utf-8")
    }

    @Test func test_routes_answerTheNegotiatedFormat_andVaryOnAccept() {
        let routes = ExporterRoutes(
            page: {
                Array(
                    "# HELP genesys_polls_total Polls.\n# TYPE genesys_polls_total counter\ngenesys_polls_total 3\n"
                        .utf8)
            },
            readiness: { (true, "") })
        let text = routes.reply(method: "GET", path: "/metrics", accept: ["*/*"])
        #expect(text.contentType == ExpositionFormat.text.contentType)
        #expect(!String(decoding: text.body, as: UTF8.self).contains("# EOF"))
        let openMetrics = routes.reply(
            method: "GET", path: "/metrics", accept: ["application/openmetrics-text;version=1.0.0"])
        #expect(openMetrics.contentType == ExpositionFormat.openMetrics1.contentType)
        #expect(
            String(decoding: openMetrics.body, as: UTF8.self)
                == "# HELP genesys_polls Polls.\n# TYPE genesys_polls counter\ngenesys_polls_total 3\n# EOF\n")
        #expect(openMetrics.vary == "Accept, Accept-Encoding")
    }
}
