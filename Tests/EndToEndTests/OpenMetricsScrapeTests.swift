import Foundation
import GenesysBaseTestSupport
import GenesysSimulator
import GenesysTestSupport
import SimulatorTestSupport
import Testing

/// OpenMetrics over real HTTP, read by the Python `prometheus_client` OpenMetrics parser (Debian's
/// python3-prometheus-client, which scripts/install-deps installs), never by our own code alone.
@Suite("OpenMetrics scrapes, checked by prometheus_client's parser")
struct OpenMetricsScrapeTests {
    /// What Prometheus 2.42 sends by default.
    static let prometheusAccept =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
        + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

    /// prometheus_client's verdict on `page`: the sample lines it read (name and labels, sorted, `_created` apart),
    /// or its error.
    static func parsedByPrometheusClient(_ page: [UInt8]) async throws -> (series: [String], created: [String: Double])
    {
        let script = """
            import sys, json
            from prometheus_client.openmetrics.parser import text_string_to_metric_families
            series, created = [], {}
            for family in text_string_to_metric_families(sys.stdin.read()):
                for s in family.samples:
                    key = s.name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items())) + "}"
                    if s.name.endswith("_created"):
                        created[key] = s.value
                    else:
                        series.append(key)
            print(json.dumps({"series": sorted(series), "created": created}))
            """
        let result = try await ChildProcess.run("/usr/bin/python3", ["-c", script], stdin: page, timeout: .seconds(60))
        #expect(result.status == 0, "prometheus_client refused the page: \(result.stderr.suffix(600))")
        struct Parsed: Decodable {
            let series: [String]
            let created: [String: Double]
        }
        let parsed = try JSONDecoder().decode(Parsed.self, from: Data(result.stdout.utf8))
        return (parsed.series, parsed.created)
    }

    /// The text page's series, keyed as `parsedByPrometheusClient` keys them.
    static func textSeries(_ text: String) throws -> [String] {
        try Exposition.parse(text).samples.map { sample in
            sample.name + "{"
                + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",")
                + "}"
        }.sorted()
    }

    /// The OpenMetrics page's series are the text page's: polls go on meanwhile and only ever add series (a new
    /// endpoint's histogram, a failure's counter), so they lie between a text scrape before and one after.
    static func expectSameSeries(
        _ series: [String], before: [UInt8], after: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let first = Set(try textSeries(String(decoding: before, as: UTF8.self)))
        let last = Set(try textSeries(String(decoding: after, as: UTF8.self)))
        let read = Set(series)
        #expect(read.count == series.count, "no series twice", sourceLocation: sourceLocation)
        #expect(
            first.isSubset(of: read) && read.isSubset(of: last),
            "missing: \(first.subtracting(read).prefix(3)), extra: \(read.subtracting(last).prefix(3))",
            sourceLocation: sourceLocation)
    }

    @Test func test_singleOrg_plainAndGzip_parseWithPrometheusClient_andHoldTheTextPagesSeries() async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 4)) { sim in
            let exporter = try await RunningExporter(try sim.orgSettings(), openMetricsCreatedSamples: true)
            do {
                _ = try await exporter.scrape(until: "every collector polled") { scrape in
                    ["identity", "queues", "observations"].allSatisfy { scrape.collectorUp($0) == 1 }
                }
                let before = try await RawHTTP.send(port: exporter.port, method: "GET", path: "/metrics")
                let plain = try await RawHTTP.send(
                    port: exporter.port, method: "GET", path: "/metrics", headers: [("Accept", Self.prometheusAccept)])
                let gzip = try await RawHTTP.send(
                    port: exporter.port, method: "GET", path: "/metrics",
                    headers: [("Accept", Self.prometheusAccept), ("Accept-Encoding", "gzip")])
                let after = try await RawHTTP.send(port: exporter.port, method: "GET", path: "/metrics")
                #expect(before.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
                #expect(plain.headers["content-type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
                #expect(gzip.headers["content-encoding"] == "gzip")
                #expect(plain.headers["vary"] == "Accept, Accept-Encoding")
                let unzipped = try #require(Gunzip.read(gzip.body))
                #expect(unzipped.members == 1)
                for page in [plain.body, unzipped.bytes] {
                    #expect(String(decoding: page.suffix(6), as: UTF8.self) == "# EOF\n")
                    let parsed = try await Self.parsedByPrometheusClient(page)
                    try Self.expectSameSeries(parsed.series, before: before.body, after: after.body)
                    // One _created per counter series and per histogram series, none in the future.
                    let counters = parsed.series.filter { $0.contains("_total{") }.count
                    let histograms = parsed.series.filter { $0.contains("_count{") }.count
                    #expect(parsed.created.count == counters + histograms)
                    let now = Date().timeIntervalSince1970
                    #expect(parsed.created.values.allSatisfy { $0 > now - 600 && $0 <= now + 1 })
                }
                // A created time is the series' own: the same in the next scrape.
                let again = try await Self.parsedByPrometheusClient(
                    try await RawHTTP.send(
                        port: exporter.port, method: "GET", path: "/metrics",
                        headers: [("Accept", Self.prometheusAccept)]
                    ).body)
                let first = try await Self.parsedByPrometheusClient(plain.body)
                for (series, created) in first.created { #expect(again.created[series] == created, "\(series)") }
            } catch {
                await exporter.stop()
                throw error
            }
            await exporter.stop()
        }
    }

    @Test func test_withoutTheFlag_noCreatedSamples() async throws {
        try await withExporter { _, exporter in
            _ = try await exporter.scrape(until: "identity polled") { $0.collectorUp("identity") == 1 }
            let page = try await RawHTTP.send(
                port: exporter.port, method: "GET", path: "/metrics",
                headers: [("Accept", "application/openmetrics-text")])
            #expect(page.headers["content-type"] == "application/openmetrics-text; version=0.0.1; charset=utf-8")
            let parsed = try await Self.parsedByPrometheusClient(page.body)
            #expect(parsed.created.isEmpty && !parsed.series.isEmpty)
        }
    }
}

extension MultiOrgTests {
    @Test func test_multiOrg_openMetrics_plainGzipAndOneOrg_parseWithPrometheusClient() async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 3, orgName: "Acme")) { acme in
            try await withSimulator(SimulatorConfiguration(queueCount: 4, orgName: "Globex")) { globex in
                let directory = try OrgsDirectory()
                try directory.write([("acme", acme, nil), ("globex", globex, nil)])
                let configuration = try Self.configuration(
                    directory, extraFlags: ["--web.openmetrics-created-samples"])
                try await Self.withOrgsExporter(configuration) { _, base in
                    _ = try await Self.awaitScrape(base, "both orgs polled") { scrape in
                        ["acme", "globex"].allSatisfy {
                            scrape.value("genesys_collector_up", ["org": $0, "collector": "queues"]) == 1
                        }
                    }
                    let port = try #require(Int(base.split(separator: ":").last ?? ""))
                    let accept = ("Accept", OpenMetricsScrapeTests.prometheusAccept)
                    for path in ["/metrics", "/metrics?org=globex"] {
                        let before = try await RawHTTP.send(port: port, method: "GET", path: path)
                        let plain = try await RawHTTP.send(port: port, method: "GET", path: path, headers: [accept])
                        let gzip = try await RawHTTP.send(
                            port: port, method: "GET", path: path, headers: [accept, ("Accept-Encoding", "gzip")])
                        let after = try await RawHTTP.send(port: port, method: "GET", path: path)
                        let unzipped = try #require(Gunzip.read(gzip.body)).bytes
                        for page in [plain.body, unzipped] {
                            let parsed = try await OpenMetricsScrapeTests.parsedByPrometheusClient(page)
                            try OpenMetricsScrapeTests.expectSameSeries(
                                parsed.series, before: before.body, after: after.body)
                            #expect(!parsed.created.isEmpty, "\(path)")
                        }
                    }
                }
            }
        }
    }
}
