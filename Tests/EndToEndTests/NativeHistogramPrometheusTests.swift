import Foundation
import GenesysBaseTestSupport
import GenesysSimulator
import GenesysTestSupport
import SimulatorTestSupport
import Testing

/// Debian's Prometheus 2.42 with native histograms on asks for protobuf first, takes the native histogram of
/// `genesys_api_request_duration_seconds`, and its quantile lands within schema 3's error of the simulator's delay.
@Suite("Native histograms in a real Prometheus")
struct NativeHistogramPrometheusTests {
    /// Every API answer waits this long in the simulator: long enough that the machine's own overhead is small
    /// beside it, on a loaded two-core machine too.
    static let delay = 0.8

    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus"),
            "Debian's prometheus (scripts/install-deps)"))
    func test_prometheusWithNativeHistograms_quantileWithinTheSchemasError() async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 2)) { sim in
            sim.inject(.delay(.milliseconds(Int64(Self.delay * 1000))), path: "/api/v2/*")
            let exporter = try await RunningExporter(
                try sim.orgSettings(pollInterval: .milliseconds(200), collectors: ["identity"]))
            let rules = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("etc/prometheus/rules.yml").path
            let prometheus = try ScratchPrometheus(
                nativeHistograms: true, targets: ["127.0.0.1:\(exporter.port)"], ruleFiles: [rules])
            defer { prometheus.stop() }
            let query = prometheus.query
            let endpoint = #"{endpoint="/api/v2/organizations/me"}"#
            let rate = "sum(rate(genesys_api_request_duration_seconds\(endpoint)[20s]))"
            // histogram_count exists for native histograms only: a count here means Prometheus took the native one.
            try await awaitCondition("native observations in Prometheus", timeout: .seconds(90)) {
                (try await query("histogram_count(\(rate))")).map { $0 > 0 } ?? false
            }
            let quantile = try #require(try await query("histogram_quantile(0.9, \(rate))"))
            let count = try #require(try await query("histogram_count(\(rate))"))
            let mean = try #require(try await query("histogram_sum(\(rate))")) / count
            // Schema 3's buckets are 2^(1/8) ≈ 1.0905 wide: the estimate is within that of the true quantile, which
            // is the delay plus this machine's overhead (measured as the mean's excess over the delay).
            let error = 0.0905
            let overhead = max(0, mean - Self.delay)
            print("native p90 \(quantile) s, mean \(mean) s, delay \(Self.delay) s")
            #expect(quantile >= Self.delay * (1 - error), "p90 \(quantile) below the delay's bucket")
            #expect(quantile <= (Self.delay + 2 * overhead) * (1 + error), "p90 \(quantile), mean \(mean)")
            // Prometheus kept no classic buckets: it read the native histogram.
            #expect(try await query("count(genesys_api_request_duration_seconds_bucket)") == nil)
            // The phase histogram is native too: the simulator's delay comes before the first byte, so that phase's
            // quantile is the delay as well, and a loopback connect is far below it.
            let phase = #"genesys_api_request_phase_duration_seconds{phase="first_byte"}"#
            let firstByte = try #require(try await query("histogram_quantile(0.9, sum(rate(\(phase)[20s])))"))
            print("native first-byte p90 \(firstByte) s")
            #expect(firstByte >= Self.delay * (1 - error), "first-byte p90 \(firstByte) below the delay's bucket")
            #expect(firstByte <= (Self.delay + 2 * overhead) * (1 + error), "first-byte p90 \(firstByte)")
            let connect = #"genesys_api_request_phase_duration_seconds{phase="connect"}"#
            let connects = try #require(try await query("histogram_quantile(0.9, sum(rate(\(connect)[20s])))"))
            #expect(connects < Self.delay / 4, "connect p90 \(connects) s on loopback")
            #expect(try await query("count(genesys_api_request_phase_duration_seconds_bucket)") == nil)
            // The shipped recording rules (and the dashboard panels on them) read the native histogram when there are
            // no classic buckets.
            for rule in [
                "endpoint:genesys_api_request_duration_seconds:p95_rate5m\(endpoint)",
                #"phase:genesys_api_request_phase_duration_seconds:p95_rate5m{phase="first_byte"}"#,
            ] {
                try await awaitCondition("\(rule) recorded", timeout: .seconds(30)) {
                    (try await query(rule)).map { $0 >= Self.delay * (1 - error) } ?? false
                }
            }
            await exporter.stop()
        }
    }

    /// Two orgs in one exporter: Prometheus reads the merged protobuf page (gzip, as it always asks) with each org's
    /// series under its label, native histograms included, and as many other series as the text page has.
    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus"),
            "Debian's prometheus (scripts/install-deps)"))
    func test_multiOrgProtobufPage_isReadWhole() async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 3, orgName: "Acme")) { acme in
            try await withSimulator(SimulatorConfiguration(queueCount: 4, orgName: "Globex")) { globex in
                let directory = try MultiOrgTests.OrgsDirectory()
                try directory.write([("acme", acme, nil), ("globex", globex, nil)])
                // Polling: a stream's series come and go with its state, and the counts compared here must hold still.
                let polling = try MultiOrgTests.configuration(
                    directory, extraFlags: ["--collector.observations.mode=poll"])
                try await MultiOrgTests.withOrgsExporter(polling) { _, base in
                    let prometheus = try ScratchPrometheus(
                        nativeHistograms: true, targets: [String(base.dropFirst("http://".count))])
                    defer { prometheus.stop() }
                    let perOrg = #"count by (org) (histogram_count(genesys_api_request_duration_seconds))"#
                    try await awaitCondition(
                        "both orgs' native histograms and queues in Prometheus", timeout: .seconds(90)
                    ) {
                        let histograms = try await prometheus.vector(perOrg).count
                        let queues = try await prometheus.vector(#"count by (org) (genesys_routing_queues)"#).count
                        return histograms == 2 && queues == 2
                    }
                    #expect(try await prometheus.query(#"genesys_routing_queues{org="globex"}"#) == 4)
                    // Every non-histogram series of a text scrape is in Prometheus (the page held them all).
                    let text = try Exposition.parse(try await MultiOrgTests.scrape(base).text)
                    let plainSeries = text.samples.filter {
                        !$0.name.hasPrefix("genesys_api_request_duration_seconds")
                            && !$0.name.hasPrefix("genesys_api_request_phase_duration_seconds")
                            && !$0.name.hasPrefix("genesys_token_refresh_duration_seconds")
                            && !$0.name.hasPrefix("genesys_exporter_http") && !$0.name.hasPrefix("process_")
                            && $0.name.hasPrefix("genesys_")
                    }.count
                    let stored = try await prometheus.query(
                        #"count({__name__=~"genesys_.+", __name__!~"genesys_(api_request|api_request_phase|token_refresh)_duration_seconds.*|genesys_exporter_http.*"})"#
                    )
                    #expect(
                        stored.map { abs($0 - Double(plainSeries)) <= 5 } == true, "\(stored ?? -1) vs \(plainSeries)")
                }
            }
        }
    }
}
