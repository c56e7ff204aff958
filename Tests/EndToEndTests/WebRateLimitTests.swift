import Foundation
import GenesysBaseTestSupport
import GenesysServer
import Prometheus
import Testing

/// The web config's `rate_limit` over real loopback HTTP, on virtual time: the bucket refills only when the test
/// advances the clock.
@Suite("The web config's rate_limit")
struct WebRateLimitTests {
    static let rejected = "genesys_exporter_http_rejected_total"

    @Test func test_anEmptyBucket_answers429WithRetryAfter_beforeAuthentication_andRefillsWithTime() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("web-rate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("web.yml")
        func writeConfig(burst: Int, header: Bool = false) throws {
            var text = "rate_limit:\n  interval: 1m\n  burst: \(burst)\n"
            text += "basic_auth_users:\n  \(TestCredentials.user): \(TestCredentials.hashCost4)\n"
            if header { text += "http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n" }
            try Data(text.utf8).write(to: file, options: .atomic)
        }
        try writeConfig(burst: 2)
        let clock = ManualClock()
        let web = try WebConfigSource(path: file.path, clock: clock)
        let registry = PrometheusCollectorRegistry()
        func count(_ name: String, _ labels: [String: String]) throws -> Double? {
            try Exposition.parse(String(decoding: registry.emitToBuffer(), as: UTF8.self)).value(name, labels)
        }
        let authorized = [("Authorization", TestCredentials.basicAuthorization())]
        try await withWebServer(webConfig: web, metrics: WebServerMetrics(registry: registry)) { _, port in
            /// With credentials unless `headers` says otherwise.
            func get(_ headers: [(String, String)]? = nil) async throws -> RawReply {
                try await RawHTTP.send(port: port, method: "GET", path: "/metrics", headers: headers ?? authorized)
            }
            #expect(try count(Self.rejected, ["reason": "rate_limit"]) == 0, "the reason exists from the start")
            // The bucket starts full: two requests, whatever their credentials.
            #expect(try await get().status == 200)
            #expect(try await get([]).status == 401)
            // Empty: refused before authentication, so without credentials too, and with no bcrypt.
            let bcryptBefore = web.bcrypt.computations
            let refused = try await get([])
            #expect(refused.status == 429)
            #expect(refused.headers["retry-after"] == "60")
            #expect(String(decoding: refused.body, as: UTF8.self) == "429 Too Many Requests\n")
            #expect(try await get().status == 429)
            #expect(web.bcrypt.computations == bcryptBefore)
            #expect(try count(Self.rejected, ["reason": "rate_limit"]) == 2)
            #expect(try count(Self.rejected, ["reason": "unauthorized"]) == 1)

            // A token every minute: 45 s on, one is three quarters back.
            clock.advance(by: .seconds(45))
            #expect(try await get().headers["retry-after"] == "15")
            clock.advance(by: .seconds(15))
            #expect(try await get().status == 200)
            #expect(try await get().status == 429)

            // A reload that leaves rate_limit as it was keeps the empty bucket…
            try writeConfig(burst: 2, header: true)
            try await awaitCondition("the header reload") {
                try count("genesys_exporter_web_config_reloads_total", ["result": "success"]) == 1
            }
            let stillEmpty = try await get()
            #expect(stillEmpty.status == 429)
            #expect(stillEmpty.headers["x-content-type-options"] == "nosniff", "the new headers apply to a 429 too")
            // …a new burst is a new, full bucket; and at most `burst` tokens are ever saved up.
            try writeConfig(burst: 3)
            try await awaitCondition("the burst reload") {
                try count("genesys_exporter_web_config_reloads_total", ["result": "success"]) == 2
            }
            clock.advance(by: .seconds(3600))
            for _ in 0..<3 { #expect(try await get().status == 200) }
            #expect(try await get().status == 429)
        }
    }
}
