import Foundation
import GenesysBaseTestSupport
import GenesysTestSupport
import Testing

@Suite("A real Prometheus reads the spliced gzip page")
struct GzipPrometheusTests {
    /// Prometheus always asks for gzip; its Go reader must take the cached part and the live part spliced after
    /// it, so a series from each is stored.
    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus"),
            "Debian's prometheus (scripts/install-deps)"))
    func test_prometheus_storesSeriesFromTheCachedAndTheLivePart() async throws {
        try await withExporter(settings: { try $0.orgSettings(collectors: ["identity"]) }) { _, exporter in
            let gzipped = try await RawHTTP.send(
                port: exporter.port, method: "GET", path: "/metrics", headers: [("Accept-Encoding", "gzip")])
            #expect(Gunzip.read(gzipped.body)?.members == 1, "the page Prometheus gets is one gzip member")
            let prometheus = try ScratchPrometheus(targets: ["127.0.0.1:\(exporter.port)"])
            defer { prometheus.stop() }
            // genesys_up is in the cached poll-driven part, genesys_token_age_seconds in the live one.
            let both = #"count({job="genesys",__name__=~"genesys_up|genesys_token_age_seconds"})"#
            try await awaitCondition("both parts' series in Prometheus", timeout: .seconds(60)) {
                try await prometheus.query(both) == 2
            }
        }
    }
}
