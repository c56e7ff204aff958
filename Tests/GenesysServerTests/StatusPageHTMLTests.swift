import GenesysServer
import Testing

@Suite("The landing page's status tables")
struct StatusPageHTMLTests {
    static let now = 1_796_400_000.0  // 2026-12-04 16:00:00 UTC

    static func snapshot(_ org: StatusSnapshot.Org) -> StatusSnapshot { StatusSnapshot(orgs: [org], now: now) }

    @Test func test_aCollector_showsItsStateLastResultsAndNextPoll_andTheTokenItsExpiry() {
        var queues = StatusSnapshot.Collector(name: "queues")
        queues.up = true
        queues.lastSuccess = Self.now - 12
        queues.nextPoll = Self.now + 48
        var usage = StatusSnapshot.Collector(name: "api_usage")
        usage.up = false
        usage.lastFailure = Self.now - 3_700
        usage.lastFailureReason = "403 forbidden: missing usage:organization:view"
        let waiting = StatusSnapshot.Collector(name: "telephony")
        let page = StatusPageHTML.render(
            Self.snapshot(
                StatusSnapshot.Org(
                    name: "emea", apiBaseURL: "https://api.mypurecloud.ie", tokenExpiry: Self.now + 86_000,
                    tokenFailureReason: nil, collectors: [queues, usage, waiting])),
            telemetryPath: "/metrics", version: "1.0 (abc)")
        #expect(page.contains("<h2>Org emea <small>(<a href=\"/metrics?org=emea\">metrics</a>)</small></h2>"))
        #expect(page.contains("Access token: expires 2026-12-05 15:53:20 (in 23 h 53 min)"))
        #expect(page.contains("<tr><td>queues</td><td class=\"up\">up</td><td>2026-12-04 15:59:48 (12 s ago)</td>"))
        #expect(page.contains("<td>2026-12-04 16:00:48 (in 48 s)</td>"))
        #expect(page.contains("<td class=\"down\">down</td><td>never</td><td>2026-12-04 14:58:20 (1 h 1 min ago)"))
        #expect(page.contains("<div class=\"reason\">403 forbidden: missing usage:organization:view</div>"))
        #expect(page.contains("<td class=\"waiting\">first poll running</td><td>never</td><td>never</td>"))
        #expect(page.contains("<p>Version 1.0 (abc)</p>"))
    }

    /// Names, reasons and the API URL come from outside (the orgs file, Genesys' answers): none can add markup.
    @Test func test_outsideText_isEscaped_everywhere() {
        let hostile = "<script>alert('x')</script>&\""
        var collector = StatusSnapshot.Collector(name: "queues")
        collector.up = false
        collector.lastFailure = Self.now
        collector.lastFailureReason = hostile
        let page = StatusPageHTML.render(
            Self.snapshot(
                StatusSnapshot.Org(
                    name: hostile, apiBaseURL: hostile, tokenExpiry: Self.now - 5, tokenFailureReason: hostile,
                    collectors: [collector])),
            telemetryPath: "/metrics", version: hostile)
        #expect(!page.contains("<script>"))
        #expect(!page.contains("alert('x')"))
        #expect(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"))
        #expect(page.contains("?org=%3Cscript%3Ealert%28%27x%27%29%3C%2Fscript%3E%26%22\""))
        #expect(page.contains("Access token: expired 2026-12-04 15:59:55 (5 s ago)"))
    }

    @Test func test_absurdTimes_showAsQuestionMarks_notATrap() {
        var collector = StatusSnapshot.Collector(name: "queues")
        collector.lastSuccess = .infinity
        collector.nextPoll = -.greatestFiniteMagnitude
        collector.lastFailure = .nan
        let page = StatusPageHTML.render(
            Self.snapshot(
                StatusSnapshot.Org(
                    name: nil, apiBaseURL: "r", tokenExpiry: 1e300, tokenFailureReason: nil, collectors: [collector])),
            telemetryPath: "/metrics", version: "v")
        #expect(page.contains("<td>? (?)</td><td>? (?)</td><td>? (?)</td>"))
        #expect(page.contains("<h2>Org</h2>"))
    }

    @Test func test_aServerWithoutCollectors_showsOnlyTheBuildAndLinks() {
        let page = StatusPageHTML.render(nil, telemetryPath: "/custom", version: "v")
        #expect(page.contains("<a href=\"/custom\">Metrics</a>"))
        #expect(!page.contains("<table"))
        #expect(!page.contains("Status at"))
    }
}
