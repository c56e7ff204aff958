import Foundation
import Testing

@Suite("The executable with --web.* flags")
struct WebExecutableTests {
    @Test(arguments: [
        ("colour: blue\n", "colour"),
        ("tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n", "tls_server_config.cert_file"),
        ("tls_server_config:\n  cert_file: server.crt\n  key_file: stranger.key\n", "tls_server_config.key_file"),
        (
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n",
            "tls_server_config.cipher_suites"
        ),
        ("basic_auth_users:\n  alice: hunter2\n", "basic_auth_users.alice"),
    ])
    func test_aBadWebConfig_exits2_withOneLineNamingTheKey(_ yaml: String, _ key: String) async throws {
        let fixtures = try await TLSFixtures.make()
        defer { fixtures.remove() }
        try fixtures.write(yaml, to: "web.yml")
        let result = try await ChildProcess.run(
            try ExecutableTests.exporter(), ["--demo", "--web.config.file", fixtures.path("web.yml")],
            timeout: .seconds(20))
        #expect(result.status == 2 && !result.signalled, "stderr: \(result.stderr)")
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(key), "\(result.stderr)")
        #expect(!result.stderr.contains("hunter2"))
        #expect(!result.stderr.contains("PRIVATE KEY"))
    }

    @Test(arguments: [
        (["--web.config.file", "/nonexistent/web.yml"], "--web.config.file"),
        (["--web.max-requests", "0"], "--web.max-requests"),
        (["--web.max-connections", "-1"], "--web.max-connections"),
        (["--web.idle-timeout", "soon"], "--web.idle-timeout"),
        (["--web.listen-address", "127.0.0.1:0", "--web.listen-address", "nowhere"], "--web.listen-address"),
        // No LISTEN_FDS: started by hand, not by systemd.
        (["--web.systemd-socket"], "--web.systemd-socket"),
        (["--web.systemd-socket", "--web.listen-address", "127.0.0.1:0"], "--web.systemd-socket"),
    ])
    func test_aBadWebFlag_exits2_namingIt(_ arguments: [String], _ flag: String) async throws {
        let result = try await ChildProcess.run(
            try ExecutableTests.exporter(), ["--demo"] + arguments, timeout: .seconds(20))
        #expect(result.status == 2, "stderr: \(result.stderr)")
        #expect(result.stderrLines.count == 1 && result.stderr.contains(flag), "\(result.stderr)")
    }

    @Test func test_demoWithTLSAndBasicAuth_onTwoAddresses_servesHTTPSWithCredentialsOnly() async throws {
        let fixtures = try await TLSFixtures.make()
        defer { fixtures.remove() }
        try fixtures.writeTLSAndBasicAuthConfig()
        let (v4, v6) = (try RawHTTP.freePort(), try RawHTTP.freePort())
        let child = try ChildProcess(
            try ExecutableTests.exporter(),
            [
                "--demo", "--web.config.file", fixtures.path("web.yml"),
                "--web.listen-address", "127.0.0.1:\(v4)", "--web.listen-address", "[::1]:\(v6)",
            ])
        defer {
            child.terminateAndReap()
        }
        let credentials = "\(TestCredentials.user):\(TestCredentials.password)"
        try await awaitCondition("an authenticated scrape over TLS", timeout: .seconds(20)) {
            let scrape = try await curl([
                "--cacert", fixtures.path("ca.crt"), "-u", credentials, "https://127.0.0.1:\(v4)/metrics",
            ])
            return scrape.status == 0 && scrape.stdout.contains("genesys_exporter_build_info")
        }
        let overIPv6 = try await curl([
            "-g", "--cacert", fixtures.path("ca.crt"), "-u", credentials, "-o", "/dev/null", "-w", "%{http_code}",
            "https://[::1]:\(v6)/-/ready",
        ])
        #expect(overIPv6.stdout == "200" || overIPv6.stdout == "503", "\(overIPv6.stderr)")
        let anonymous = try await curl([
            "--cacert", fixtures.path("ca.crt"), "-o", "/dev/null", "-w", "%{http_code}",
            "https://127.0.0.1:\(v4)/metrics",
        ])
        #expect(anonymous.stdout == "401")
    }
}
