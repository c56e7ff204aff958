import Foundation
import GenesysBase
import GenesysBaseTestSupport
import GenesysExporter
import GenesysHTTP
import GenesysSimulator
import GenesysTestSupport
import Testing

@Suite("The exporter's HTTP endpoints")
struct HTTPEndpointTests {
    @Test func test_ready_answers503WithAReasonBeforeTheFirstPoll_then200() async throws {
        let settings: (GenesysSimulator) throws -> OrgSettings = { sim in
            // Every collector's first poll waits for the first token, held back for a second.
            sim.inject(.delay(.seconds(1)), path: "/oauth/token", count: 1)
            return try sim.orgSettings()
        }
        try await withExporter(settings: settings) { _, exporter in
            let early = try await exporter.get("/-/ready")
            #expect(early.status == 503)
            #expect(
                early.bodyText.contains(
                    "waiting for the first poll of: api_usage, data_actions, flows, identity, observations,"
                        + " queue_performance, queues"),
                "\(early.bodyText)")
            let healthy = try await exporter.get("/-/healthy")
            #expect(healthy.status == 200)
            #expect(healthy.bodyText == "Healthy\n")
            try await awaitCondition("/-/ready answering 200") { try await exporter.get("/-/ready").status == 200 }
            #expect(try await exporter.get("/-/ready").bodyText == "Ready\n")
        }
    }

    @Test func test_ready_namesTheLastErrorWhileNoCollectorHasSucceeded() async throws {
        let settings: (GenesysSimulator) throws -> OrgSettings = { sim in
            sim.inject(.status(503), path: "/api/*")
            return try sim.orgSettings()
        }
        try await withExporter(settings: settings) { sim, exporter in
            try await awaitCondition("every collector's first poll failing") {
                let ready = try await exporter.get("/-/ready")
                return ready.status == 503 && ready.bodyText.contains("no collector has succeeded yet")
            }
            let ready = try await exporter.get("/-/ready")
            #expect(ready.bodyText.contains("HTTP 503"), "\(ready.bodyText)")
            sim.clearFaults()
            try await awaitCondition("/-/ready answering 200 after recovery", timeout: .seconds(15)) {
                try await exporter.get("/-/ready").status == 200
            }
        }
    }

    @Test func test_landingPage_showsTheVersion_andLinksTheCustomTelemetryPath() async throws {
        try await withExporter(
            telemetryPath: "/probe/genesys",
            settings: { try $0.orgSettings(collectors: ["identity"]) }
        ) { _, exporter in
            let landing = try await exporter.get("/")
            #expect(landing.status == 200)
            #expect(landing.headers["Content-Type"]?.hasPrefix("text/html") == true)
            #expect(landing.bodyText.contains(BuildInfo.version))
            #expect(landing.bodyText.contains(#"href="/probe/genesys""#))

            let scrape = try await exporter.scrape(until: "genesys_up on the custom path", path: "/probe/genesys") {
                $0.value("genesys_up") != nil
            }
            #expect(scrape.value("genesys_exporter_build_info", ["version": BuildInfo.version]) == 1)
            #expect(
                try await exporter.get("/metrics").status == 404,
                "the default path is not served when another is configured")
        }
    }

    @Test func test_unknownPath_is404_postToMetrics_is405WithAllow() async throws {
        try await withExporter(settings: { try $0.orgSettings(collectors: ["identity"]) }) { _, exporter in
            #expect(try await exporter.get("/nope").status == 404)
            #expect(try await exporter.get("/metrics/extra").status == 404)
            // Raw: the libcurl client turns a POST without a body into a GET.
            let post = try await RawHTTP.send(
                port: exporter.port, method: "POST", path: "/metrics", headers: [("Content-Length", "0")])
            #expect(post.status == 405)
            #expect(post.headers["allow"] == "GET, HEAD")
            let metrics = try await exporter.get("/metrics?debug=1")
            #expect(metrics.status == 200, "a query string does not change the route")
            #expect(metrics.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8")
        }
    }

    @Test(arguments: [false, true])
    func test_headMetrics_answersHeadersWithoutABody(acceptGzip: Bool) async throws {
        try await withExporter(settings: { try $0.orgSettings(collectors: ["identity"]) }) { _, exporter in
            let headers = acceptGzip ? [("Accept-Encoding", "gzip")] : []
            let head = try await RawHTTP.send(port: exporter.port, method: "HEAD", path: "/metrics", headers: headers)
            #expect(head.status == 200)
            #expect(head.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(head.body.isEmpty, "HEAD must not carry a body; got \(head.body.count) bytes")
        }
    }

    @Test func test_gzip_onlyWhenTheScraperAcceptsIt() async throws {
        try await withExporter(settings: { try $0.orgSettings(collectors: ["identity"]) }) { _, exporter in
            let gzipped = try await exporter.get("/metrics", headers: [("Accept-Encoding", "gzip")])
            #expect(gzipped.status == 200)
            #expect(gzipped.headers["Content-Encoding"] == "gzip")
            // libcurl decoded it: the body is the plain exposition again.
            #expect(try Exposition.parse(gzipped.bodyText).value("genesys_up") != nil)

            let raw = try await RawHTTP.send(port: exporter.port, method: "GET", path: "/metrics")
            #expect(raw.status == 200)
            #expect(raw.headers["content-encoding"] == nil)
            #expect(raw.headers["content-length"] == String(raw.body.count))
            #expect(String(decoding: raw.body, as: UTF8.self).contains("# TYPE genesys_up gauge"))

            let rawGzip = try await RawHTTP.send(
                port: exporter.port, method: "GET", path: "/metrics", headers: [("Accept-Encoding", "gzip")])
            #expect(rawGzip.headers["content-encoding"] == "gzip")
            #expect(rawGzip.headers["vary"] == "Accept, Accept-Encoding")
            #expect(rawGzip.headers["content-length"] == String(rawGzip.body.count), "a gzip page has an exact length")
            // The cached poll-driven page with the live part spliced after it: one gzip member.
            let read = try #require(Gunzip.read(rawGzip.body))
            #expect(read.members == 1)
            let page = try Exposition.parse(String(decoding: read.bytes, as: UTF8.self))
            #expect(page.value("genesys_up") != nil, "from the cached part")
            #expect(page.value("process_resident_memory_bytes") != nil, "from the live part")
            // curl as a user runs it (Debian 12's 7.88 refuses a body of several gzip members).
            let cli = try await curl(["--compressed", "-f", "http://127.0.0.1:\(exporter.port)/metrics"])
            #expect(cli.status == 0 && cli.stdout.contains("process_resident_memory_bytes"), "\(cli.stderr)")

            let refused = try await RawHTTP.send(
                port: exporter.port, method: "GET", path: "/metrics",
                headers: [("Accept-Encoding", "gzip;q=0, identity")])
            #expect(refused.headers["content-encoding"] == nil)
            #expect(String(decoding: refused.body, as: UTF8.self).contains("# TYPE genesys_up gauge"))
        }
    }

    @Test func test_headWithGzip_announcesTheGzipLength() async throws {
        try await withExporter(settings: { try $0.orgSettings(collectors: ["identity"]) }) { _, exporter in
            // After the first poll the page holds still (the next poll is a minute away).
            _ = try await exporter.scrape(until: "the first poll") {
                $0.value("genesys_up") == 1 && $0.value("genesys_token_age_seconds") != nil
            }
            let head = try await RawHTTP.send(
                port: exporter.port, method: "HEAD", path: "/metrics", headers: [("Accept-Encoding", "gzip")])
            let get = try await RawHTTP.send(
                port: exporter.port, method: "GET", path: "/metrics", headers: [("Accept-Encoding", "gzip")])
            #expect(head.headers["content-encoding"] == "gzip" && head.body.isEmpty)
            let headLength = try #require(head.headers["content-length"].flatMap { Int($0) })
            // The live member's few numbers may differ in length between two scrapes, not the page.
            #expect(abs(headLength - get.body.count) < 64, "HEAD says \(headLength), GET sent \(get.body.count)")
        }
    }

    /// 40 scrapes at once (--web.max-requests' default; a 41st gets 503, see WebLimitsTests) while every collector polls every 100 ms. The catalog stays small: rendering runs on the
    /// event loops every simulator in this process shares, so a heavy render here would slow the timing tests.
    @Test func test_fortyConcurrentScrapesDuringPolls_allAnswer200AndParse() async throws {
        try await withExporter(
            SimulatorConfiguration(queueCount: 120),
            settings: { try $0.orgSettings(pollInterval: .milliseconds(100)) }
        ) { _, exporter in
            _ = try await exporter.scrape(until: "every collector polled") { scrape in
                ["identity", "queues", "observations"].allSatisfy { scrape.collectorUp($0) == 1 }
            }
            let client = HTTPClient(configuration: HTTPClientConfiguration(maxConnectionsPerHost: 50))
            defer { client.shutdown() }
            let url = exporter.baseURL + "/metrics"
            let single = ContinuousClock.now
            #expect(try await client.send(HTTPRequest(url: url)).status == 200)
            print("one scrape alone: \(ContinuousClock.now - single)")
            for round in 0..<2 {
                let results = try await withThrowingTaskGroup(of: (Int, Duration, Int).self) { group in
                    for scrape in 0..<40 {
                        group.addTask {
                            let started = ContinuousClock.now
                            let response = try await client.send(HTTPRequest(url: url))
                            let took = ContinuousClock.now - started
                            // One page per round parsed whole, the others' member lines counted: 80 full parses of a
                            // 120-queue page were a tenth of the suite's CPU on two cores.
                            let members =
                                scrape == 0
                                ? try Exposition.parse(response.bodyText).samples("genesys_queue_members").count
                                : response.bodyText.split(separator: "\n").count {
                                    $0.hasPrefix("genesys_queue_members{")
                                }
                            return (response.status, took, members)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(results.count == 40)
                #expect(results.allSatisfy { $0.0 == 200 })
                #expect(results.allSatisfy { $0.2 == 120 }, "every scrape holds all 120 member series")
                let latencies = results.map(\.1).sorted()
                print("round \(round): 40 concurrent scrapes, p50 \(latencies[19]), max \(latencies[39])")
            }
        }
    }
}
