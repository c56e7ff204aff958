import GenesysBase
import GenesysServer
import Testing

@Suite("Reading exporter-toolkit web config files")
struct WebConfigParserTests {
    static let hash = "$2b$04$O5ZMpYxDbD9h9/hYrA2DLOwP3zv0lj57brtCN6jIana68tCpHNIki"

    func parse(_ yaml: String) throws(ConfigurationError) -> WebConfig {
        try WebConfigParser.parse(yaml, path: "/etc/genesys-exporter/web.yml")
    }

    /// The one-line message the exporter would print, for asserting on the named key.
    func failure(_ yaml: String) -> String {
        do {
            _ = try parse(yaml)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func test_aFullFile_isRead_withRelativePathsResolvedAgainstItsDirectory() throws {
        let config = try parse(
            """
            tls_server_config:
              cert_file: tls/server.crt
              key_file: /secrets/server.key
              client_ca_file: tls/ca.crt
              client_auth_type: RequireAndVerifyClientCert
              min_version: TLS13
              max_version: TLS13
              prefer_server_cipher_suites: true
              cipher_suites: []
            http_server_config:
              http2: false
              headers:
                X-Frame-Options: deny
                Content-Security-Policy: default-src 'none'
            basic_auth_users:
              prometheus: \(Self.hash)
            """)
        let tls = try #require(config.tls)
        #expect(tls.certificate == .file("/etc/genesys-exporter/tls/server.crt"))
        #expect(tls.privateKey == .file("/secrets/server.key"))
        #expect(tls.clientCAs == .file("/etc/genesys-exporter/tls/ca.crt"))
        #expect(tls.clientAuth == .requireAndVerifyClientCert)
        #expect(tls.minVersion == .tls13 && tls.maxVersion == .tls13)
        #expect(config.basicAuthUsers == ["prometheus": Self.hash])
        #expect(config.headers.map(\.name) == ["X-Frame-Options", "Content-Security-Policy"])
    }

    /// Found by fuzzing: flow collections and implicit mappings nested a few hundred deep overflowed the stack inside
    /// Yams (the YAML layer before libyaml was used directly). The depth is still measured before parsing.
    @Test func test_deeplyNestedYAML_isRefusedWithItsLine_insteadOfExhaustingTheStack() {
        #expect(
            failure("a: " + String(repeating: "[a: ", count: 5000)).contains("line 1 is nested deeper than 64 levels"))
        #expect(failure("x: 1\n" + String(repeating: "{", count: 100_000)).contains("line 2 is nested deeper"))
    }

    @Test func test_emptyFileAndEmptySections_meanPlainHTTPWithoutAuth() throws {
        #expect(try parse("") == WebConfig())
        #expect(try parse("tls_server_config:\nbasic_auth_users:\n") == WebConfig())
        #expect(try parse("tls_server_config:\n  min_version: \"\"\n") == WebConfig())
    }

    @Test func test_defaults_areTLS12To13_andNoClientCertificate() throws {
        let tls = try #require(try parse("tls_server_config:\n  cert: inline-pem\n  key: inline-key\n").tls)
        #expect(tls.minVersion == .tls12 && tls.maxVersion == .tls13)
        #expect(tls.clientAuth == .noClientCert)
        #expect(tls.certificate == .inline("inline-pem"))
    }

    @Test(arguments: WebConfig.ClientAuth.allCases)
    func test_everyClientAuthType_isAccepted(_ type: WebConfig.ClientAuth) throws {
        let ca = type == .noClientCert ? "" : "\n  client_ca_file: ca.crt"
        let tls = try #require(
            try parse("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: \(type.rawValue)\(ca)\n")
                .tls)
        #expect(tls.clientAuth == type)
    }

    @Test(arguments: [
        ("colour: blue\n", "colour"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  certfile: c\n", "tls_server_config.certfile"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS14\n", "tls_server_config.min_version"),
        (
            "tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  max_version: TLS12\n",
            "tls_server_config.min_version"
        ),
        (
            "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Sometimes\n",
            "tls_server_config.client_auth_type"
        ),
        ("tls_server_config:\n  cert_file: a\n", "tls_server_config.key_file"),
        ("tls_server_config:\n  key_file: a\n", "tls_server_config.cert_file"),
        ("tls_server_config:\n  cert_file: a\n  cert: b\n  key_file: c\n", "tls_server_config.cert_file"),
        (
            "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n",
            "tls_server_config.client_ca_file"
        ),
        (
            "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n",
            "tls_server_config.client_ca_file"
        ),
        (
            "tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n",
            "tls_server_config.cipher_suites"
        ),
        (
            "tls_server_config:\n  cert_file: a\n  key_file: b\n  curve_preferences: [X25519]\n",
            "tls_server_config.curve_preferences"
        ),
        (
            "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_allowed_sans: [x]\n",
            "tls_server_config.client_allowed_sans"
        ),
        ("http_server_config:\n  http2: true\n", "http_server_config.http2"),
        ("http_server_config:\n  headers:\n    Server: nginx\n", "http_server_config.headers.Server"),
        ("http_server_config:\n  headers:\n    X-Frame-Options: allow\n", "http_server_config.headers.X-Frame-Options"),
        ("basic_auth_users:\n  alice: plaintext-password\n", "basic_auth_users.alice"),
        (
            "basic_auth_users:\n  alice: $2b$03$O5ZMpYxDbD9h9/hYrA2DLOwP3zv0lj57brtCN6jIana68tCpHNIki\n",
            "basic_auth_users.alice"
        ),
        ("basic_auth_users:\n  - alice\n", "basic_auth_users"),
        ("rate_limit:\n  interval: 1s\n", "rate_limit.burst"),
        ("rate_limit:\n  interval: 1s\n  burst: 0\n", "rate_limit.burst"),
        ("rate_limit:\n  interval: 1s\n  burst: -1\n", "rate_limit.burst"),
        ("rate_limit:\n  interval: 1s\n  burst: 1000001\n", "rate_limit.burst"),
        ("rate_limit:\n  interval: 1s\n  burst: ten\n", "rate_limit.burst"),
        ("rate_limit:\n  interval: 5\n  burst: 1\n", "rate_limit.interval"),
        ("rate_limit:\n  interval: soon\n  burst: 1\n", "rate_limit.interval"),
        ("rate_limit:\n  interval: -1s\n  burst: 1\n", "rate_limit.interval"),
        ("rate_limit:\n  interval: 1s\n  burst: 1\n  per_client: true\n", "rate_limit.per_client"),
        ("rate_limit: 10\n", "rate_limit"),
        ("tls_server_config: [\n", "web.yml"),
    ])
    func test_aBadFile_isAnErrorNamingTheKey(_ yaml: String, _ key: String) {
        let message = failure(yaml)
        #expect(message.hasPrefix("--web.config.file /etc/genesys-exporter/web.yml"), "\(message)")
        #expect(message.contains(key), "\(message)")
        #expect(!message.contains("\n"))
    }

    @Test func test_aPasswordOrInlineKey_neverAppearsInAnError() {
        #expect(!failure("basic_auth_users:\n  alice: hunter2-plaintext\n").contains("hunter2"))
        #expect(!failure("tls_server_config:\n  cert: x\n  key: SECRET-KEY-MATERIAL\n  colour: 1\n").contains("SECRET"))
    }

    @Test func test_aDisabledRateLimit_isAccepted() throws {
        #expect(try parse("rate_limit:\n  interval: 0s\n") == WebConfig())
        #expect(try parse("rate_limit:\n  interval: 0\n  burst: 0\n") == WebConfig())
        #expect(try parse("rate_limit:\n  burst: 5\n") == WebConfig())
    }

    @Test func test_aRateLimit_isReadAsExporterToolkitWritesIt() throws {
        #expect(
            try parse("rate_limit:\n  interval: 100ms\n  burst: 20\n").rateLimit
                == WebConfig.RateLimit(interval: .milliseconds(100), burst: 20))
        #expect(
            try parse("rate_limit:\n  interval: 1m30s\n  burst: 1\n").rateLimit
                == WebConfig.RateLimit(interval: .seconds(90), burst: 1))
    }
}
