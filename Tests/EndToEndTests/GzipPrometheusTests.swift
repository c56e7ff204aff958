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
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "genesys-gzip-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withExporter(settings: { try $0.orgSettings(collectors: ["identity"]) }) { _, exporter in
            let gzipped = try await RawHTTP.send(
                port: exporter.port, method: "GET", path: "/metrics", headers: [("Accept-Encoding", "gzip")])
            #expect(Gunzip.read(gzipped.body)?.members == 1, "the page Prometheus gets is one gzip member")
            try """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: genesys
                static_configs:
                  - targets: ["127.0.0.1:\(exporter.port)"]
            """.write(toFile: directory + "/prometheus.yml", atomically: true, encoding: .utf8)
            let prometheusPort = try RawHTTP.freePort()
            let prometheus = try ChildProcess(
                "/usr/bin/prometheus",
                [
                    "--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/data",
                    "--web.listen-address=127.0.0.1:\(prometheusPort)",
                ])
            defer {
                prometheus.terminateAndReap()
            }
            // genesys_up is in the cached poll-driven part, genesys_token_age_seconds in the live one.
            let query =
                "http://127.0.0.1:\(prometheusPort)/api/v1/query?query=count%28%7Bjob%3D%22genesys%22%2C__name__%3D~%22genesys_up%7Cgenesys_token_age_seconds%22%7D%29"
            try await awaitCondition("both parts' series in Prometheus", timeout: .seconds(60)) {
                let answer = try await curl([query])
                return answer.stdout.contains(#","2"]"#)
            }
        }
    }
}
