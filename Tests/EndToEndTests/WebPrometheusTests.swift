import Foundation
import GenesysServer
import Testing

@Suite("A real Prometheus scraping over TLS with basic auth")
struct WebPrometheusTests {
    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus"),
            "Debian's prometheus (scripts/install-deps)"))
    func test_prometheus_withSchemeHttpsCAFileAndBasicAuth_seesUp1() async throws {
        let fixtures = try await TLSFixtures.make()
        defer { fixtures.remove() }
        try fixtures.writeTLSAndBasicAuthConfig()
        try fixtures.write(TestCredentials.password + "\n", to: "scrape-password")
        let web = try WebConfigSource(path: fixtures.path("web.yml"))
        try await withWebServer(webConfig: web) { _, port in
            // The scrape_config docs/securing.md documents.
            try fixtures.write(
                """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: genesys
                    scheme: https
                    tls_config:
                      ca_file: \(fixtures.path("ca.crt"))
                    basic_auth:
                      username: \(TestCredentials.user)
                      password_file: \(fixtures.path("scrape-password"))
                    static_configs:
                      - targets: ["127.0.0.1:\(port)"]
                """, to: "prometheus.yml")
            let prometheusPort = try RawHTTP.freePort()
            let prometheus = try ChildProcess(
                "/usr/bin/prometheus",
                [
                    "--config.file=\(fixtures.path("prometheus.yml"))", "--storage.tsdb.path=\(fixtures.path("data"))",
                    "--web.listen-address=127.0.0.1:\(prometheusPort)",
                ])
            defer {
                prometheus.terminateAndReap()
            }
            let query = "http://127.0.0.1:\(prometheusPort)/api/v1/query?query=up%7Bjob%3D%22genesys%22%7D"
            try await awaitCondition("up{job=\"genesys\"} == 1 in Prometheus", timeout: .seconds(60)) {
                let answer = try await curl([query])
                return answer.stdout.contains(#""value":["#) && answer.stdout.contains(#","1"]"#)
            }
            let sample = try await curl(["http://127.0.0.1:\(prometheusPort)/api/v1/query?query=test_metric"])
            #expect(sample.stdout.contains(#","1"]"#), "\(sample.stdout)")
        }
    }
}
