import Foundation
import GenesysServer
import Testing

@Suite("TLS from --web.config.file")
struct WebTLSTests {
    /// A web config in `fixtures`' directory with relative file names, as exporter-toolkit resolves them.
    static func webConfig(_ fixtures: TLSFixtures, _ yaml: String) throws -> WebConfigSource {
        try fixtures.write(yaml, to: "web.yml")
        return try WebConfigSource(path: fixtures.path("web.yml"))
    }

    @Test func test_curlWithTheCA_scrapesOverTLS() async throws {
        let fixtures = try await TLSFixtures.make()
        defer { fixtures.remove() }
        let web = try Self.webConfig(fixtures, "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n")
        try await withWebServer(webConfig: web) { _, port in
            let result = try await curl(["--cacert", fixtures.path("ca.crt"), "https://127.0.0.1:\(port)/metrics"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "test_metric 1\n")
            let untrusted = try await curl(["https://127.0.0.1:\(port)/metrics"])
            #expect(untrusted.status == 60, "curl must not trust the test CA without --cacert: \(untrusted.stderr)")
        }
    }

    @Test func test_plainHTTPToTheTLSPort_getsAReadable400_andTheConnectionCloses() async throws {
        let fixtures = try await TLSFixtures.make()
        defer { fixtures.remove() }
        let web = try Self.webConfig(fixtures, "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n")
        try await withWebServer(webConfig: web) { _, port in
            let result = try await curl(["-i", "http://127.0.0.1:\(port)/metrics"])
            #expect(result.stdout.hasPrefix("HTTP/1.0 400"), "\(result.stdout)")
            #expect(result.stdout.contains("Client sent an HTTP request to an HTTPS server."))
            #expect(!result.stdout.contains("test_metric"))
        }
    }

    @Test func test_requireAndVerifyClientCert_rejectsNoCertificateAndAStranger_acceptsOneFromTheClientCA() async throws
    {
        let fixtures = try await TLSFixtures.make()
        defer { fixtures.remove() }
        let web = try Self.webConfig(
            fixtures,
            """
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
              client_ca_file: client-ca.crt
              client_auth_type: RequireAndVerifyClientCert
            """)
        try await withWebServer(webConfig: web) { _, port in
            let url = "https://127.0.0.1:\(port)/metrics"
            let withoutCertificate = try await curl(["--cacert", fixtures.path("ca.crt"), url])
            #expect(withoutCertificate.status != 0)
            #expect(!withoutCertificate.stdout.contains("test_metric"))
            let stranger = try await curl([
                "--cacert", fixtures.path("ca.crt"), "--cert", fixtures.path("stranger.crt"), "--key",
                fixtures.path("stranger.key"), url,
            ])
            #expect(stranger.status != 0)
            #expect(!stranger.stdout.contains("test_metric"))
            let client = try await curl([
                "--cacert", fixtures.path("ca.crt"), "--cert", fixtures.path("client.crt"), "--key",
                fixtures.path("client.key"), url,
            ])
            #expect(client.status == 0, "\(client.stderr)")
            #expect(client.stdout == "test_metric 1\n")
        }
    }

    @Test func test_requireAnyClientCert_acceptsAStranger_butNotNoCertificate() async throws {
        let fixtures = try await TLSFixtures.make()
        defer { fixtures.remove() }
        let web = try Self.webConfig(
            fixtures,
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAnyClientCert\n"
        )
        try await withWebServer(webConfig: web) { _, port in
            let url = "https://127.0.0.1:\(port)/metrics"
            let outcome1 = try await curl(["--cacert", fixtures.path("ca.crt"), url])
            #expect(outcome1.status != 0, "\(outcome1.stderr)")
            let stranger = try await curl([
                "--cacert", fixtures.path("ca.crt"), "--cert", fixtures.path("stranger.crt"), "--key",
                fixtures.path("stranger.key"), url,
            ])
            #expect(stranger.status == 0, "\(stranger.stderr)")
        }
    }

    @Test func test_requestClientCert_acceptsNoCertificateAndAStranger() async throws {
        let fixtures = try await TLSFixtures.make()
        defer { fixtures.remove() }
        let web = try Self.webConfig(
            fixtures,
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequestClientCert\n"
        )
        try await withWebServer(webConfig: web) { _, port in
            let url = "https://127.0.0.1:\(port)/metrics"
            let anonymous = try await curl(["--cacert", fixtures.path("ca.crt"), url])
            #expect(anonymous.status == 0, "\(anonymous.stderr)")
            let stranger = try await curl([
                "--cacert", fixtures.path("ca.crt"), "--cert", fixtures.path("stranger.crt"), "--key",
                fixtures.path("stranger.key"), url,
            ])
            #expect(stranger.status == 0, "\(stranger.stderr)")
        }
    }

    @Test func test_inlineCertificateAndKey_areServed() async throws {
        let fixtures = try await TLSFixtures.make()
        defer { fixtures.remove() }
        func block(_ name: String) throws -> String {
            try String(contentsOfFile: fixtures.path(name), encoding: .utf8).split(separator: "\n").map { "    \($0)" }
                .joined(separator: "\n")
        }
        let web = try Self.webConfig(
            fixtures,
            "tls_server_config:\n  cert: |\n\(try block("server.crt"))\n  key: |\n\(try block("server.key"))\n")
        try await withWebServer(webConfig: web) { _, port in
            let result = try await curl(["--cacert", fixtures.path("ca.crt"), "https://127.0.0.1:\(port)/metrics"])
            #expect(result.status == 0, "\(result.stderr)")
        }
    }

    @Test func test_verifyClientCertIfGiven_acceptsNoCertificate_rejectsAStranger() async throws {
        let fixtures = try await TLSFixtures.make()
        defer { fixtures.remove() }
        let web = try Self.webConfig(
            fixtures,
            """
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
              client_ca_file: client-ca.crt
              client_auth_type: VerifyClientCertIfGiven
            """)
        try await withWebServer(webConfig: web) { _, port in
            let url = "https://127.0.0.1:\(port)/metrics"
            let outcome2 = try await curl(["--cacert", fixtures.path("ca.crt"), url])
            #expect(outcome2.status == 0, "\(outcome2.stderr)")
            let stranger = try await curl([
                "--cacert", fixtures.path("ca.crt"), "--cert", fixtures.path("stranger.crt"), "--key",
                fixtures.path("stranger.key"), url,
            ])
            #expect(stranger.status != 0)
        }
    }

    @Test func test_minVersionTLS13_refusesATLS12Client() async throws {
        let fixtures = try await TLSFixtures.make()
        defer { fixtures.remove() }
        let web = try Self.webConfig(
            fixtures, "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS13\n")
        try await withWebServer(webConfig: web) { _, port in
            let url = "https://127.0.0.1:\(port)/metrics"
            let outcome3 = try await curl(["--cacert", fixtures.path("ca.crt"), "--tls-max", "1.2", url])
            #expect(outcome3.status != 0, "\(outcome3.stderr)")
            let outcome4 = try await curl(["--cacert", fixtures.path("ca.crt"), "--tlsv1.3", url])
            #expect(outcome4.status == 0, "\(outcome4.stderr)")
        }
    }

    @Test func test_replacedCertificateFiles_areServedOnTheNextConnection_andABrokenOneKeepsTheOld() async throws {
        let fixtures = try await TLSFixtures.make()
        defer { fixtures.remove() }
        let web = try Self.webConfig(fixtures, "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n")
        try await withWebServer(webConfig: web) { _, port in
            let url = "https://127.0.0.1:\(port)/metrics"
            let outcome5 = try await curl(["--cacert", fixtures.path("ca.crt"), url])
            #expect(outcome5.status == 0, "\(outcome5.stderr)")

            // Rotation: a new CA signs a new certificate; key and certificate are replaced in place.
            try await fixtures.makeCA("ca2", commonName: "rotated server CA")
            try await fixtures.makeLeaf(
                "server2", signedBy: "ca2", commonName: "127.0.0.1", extensions: "subjectAltName=IP:127.0.0.1")
            try FileManager.default.removeItem(atPath: fixtures.path("server.key"))
            try FileManager.default.copyItem(atPath: fixtures.path("server2.key"), toPath: fixtures.path("server.key"))
            try FileManager.default.removeItem(atPath: fixtures.path("server.crt"))
            try FileManager.default.copyItem(atPath: fixtures.path("server2.crt"), toPath: fixtures.path("server.crt"))
            try await awaitCondition("the rotated certificate being served") {
                try await curl(["--cacert", fixtures.path("ca2.crt"), url]).status == 0
            }
            let outcome6 = try await curl(["--cacert", fixtures.path("ca.crt"), url])
            #expect(outcome6.status != 0, "the old certificate is no longer served")

            // A broken new config (unknown key): the rotated certificate stays in force.
            try fixtures.write(
                "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  no_such_key: 1\n", to: "web.yml"
            )
            try await awaitCondition("the broken file being seen") { web.reloadIfChanged() == .unchanged }
            let outcome7 = try await curl(["--cacert", fixtures.path("ca2.crt"), url])
            #expect(outcome7.status == 0, "\(outcome7.stderr)")
        }
    }
}
