import Foundation
import GenesysServer
import Testing

@Suite("etc/web-config.example.yml")
struct WebExampleConfigTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("etc/web-config.example.yml").path

    /// The example, unchanged, next to a freshly made tls.crt/tls.key (the names it uses).
    static func exampleBesideCertificates() async throws -> TLSFixtures {
        let fixtures = try await TLSFixtures.make()
        for name in ["crt", "key"] {
            try FileManager.default.copyItem(
                atPath: fixtures.path("server.\(name)"), toPath: fixtures.path("tls.\(name)"))
        }
        try FileManager.default.copyItem(atPath: example, toPath: fixtures.path("web-config.yml"))
        return fixtures
    }

    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool"),
            "Debian's prometheus package (promtool)"))
    func test_promtoolCheckWebConfig_acceptsTheExample() async throws {
        let fixtures = try await Self.exampleBesideCertificates()
        defer { fixtures.remove() }
        let result = try await ChildProcess.run(
            "/usr/bin/promtool", ["check", "web-config", fixtures.path("web-config.yml")], timeout: .seconds(30))
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test func test_theExample_servesTLSAndBasicAuth_withItsDocumentedPassword() async throws {
        let fixtures = try await Self.exampleBesideCertificates()
        defer { fixtures.remove() }
        let web = try WebConfigSource(path: fixtures.path("web-config.yml"))
        try await withWebServer(webConfig: web) { _, port in
            let scrape = try await curl([
                "--cacert", fixtures.path("ca.crt"), "-u", "prometheus:change-me", "-D", "-",
                "https://127.0.0.1:\(port)/metrics",
            ])
            #expect(scrape.status == 0, "\(scrape.stderr)")
            #expect(scrape.stdout.contains("test_metric 1"))
            #expect(scrape.stdout.lowercased().contains("x-frame-options: deny"))
        }
    }
}
