import Foundation
import Testing

/// The status page as a real browser renders it: headless Chromium loads it from the demo.
@Suite("The landing page in Chromium")
struct LandingPageBrowserTests {
    static let chromium = "/usr/bin/chromium"

    @Test func test_chromium_rendersTheDemosStatusTable() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.chromium),
            "headless Chromium (Debian: apt-get install chromium; scripts/install-deps does)")
        let port = try RawHTTP.freePort()
        let exporter = try ChildProcess(
            try ExecutableTests.exporter(), ["--demo", "--web.listen-address", "127.0.0.1:\(port)"])
        defer { exporter.terminateAndReap() }
        try await awaitCondition("the demo ready", timeout: .seconds(30)) {
            (try? await RawHTTP.send(port: port, method: "GET", path: "/-/ready"))?.status == 200
        }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        // Root in CI: Chromium's sandbox needs user namespaces it may not have.
        let browser = try await ChildProcess.run(
            Self.chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile.path)", "--dump-dom",
                "http://127.0.0.1:\(port)/",
            ], timeout: .seconds(90))
        #expect(browser.status == 0, "stderr: \(browser.stderr.suffix(2000))")
        let dom = browser.stdout
        // The DOM after parsing: Chromium adds the <tbody> that the page leaves implicit.
        #expect(dom.contains("<table><tbody><tr><th>Collector</th><th>State</th>"), "\(dom.prefix(3000))")
        for collector in ["identity", "queues", "observations", "queue_performance", "telephony", "api_usage"] {
            #expect(dom.contains("<tr><td>\(collector)</td><td class=\"up\">up</td>"), "\(collector)")
        }
        #expect(dom.contains("Access token: expires "))
        #expect(!dom.contains("sim-client-secret"))
    }
}
