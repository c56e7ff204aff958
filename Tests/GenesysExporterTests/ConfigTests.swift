import Foundation
import Testing

@testable import GenesysAuth
@testable import GenesysBase
@testable import GenesysCollectors
@testable import GenesysExporter
@testable import genesys_exporter

/// Resolves `arguments` with exactly this environment and .env file (nothing is read from the machine).
private func resolve(
    _ arguments: [String], environment: [String: String] = [:], envFile: String? = nil
) throws -> ExporterConfiguration {
    let options = try ExporterOptions.parse(arguments).flags
    return try ConfigurationResolver.resolve(
        options, environment: environment, fileExists: { $0 == ".env" && envFile != nil },
        readFile: { path in
            guard path == ".env", let envFile else { throw CocoaError(.fileNoSuchFile) }
            return envFile
        })
}

/// The configuration error `arguments` produce, or nil when they resolve.
private func configurationError(
    _ arguments: [String], environment: [String: String] = [:], envFile: String? = nil
) throws -> ConfigurationError? {
    do {
        _ = try resolve(arguments, environment: environment, envFile: envFile)
        return nil
    } catch let error as ConfigurationError {
        return error
    }
}

@Suite("Configuration: precedence flag > environment > .env file")
struct ConfigPrecedenceTests {
    static let region = ["--genesys.region", "mypurecloud.ie"]

    @Test func test_flag_winsOverEnvironment_andEnvFile() throws {
        let configuration = try resolve(
            Self.region + ["--genesys.client-id", "from-flag"],
            environment: ["GENESYS_CLIENT_ID": "from-env", "GENESYS_CLIENT_SECRET": "s"],
            envFile: "GENESYS_CLIENT_ID=from-file\n")
        #expect(configuration.orgs.first?.settings.token.clientID == "from-flag")
    }

    @Test func test_environment_winsOverEnvFile() throws {
        let configuration = try resolve(
            Self.region, environment: ["GENESYS_CLIENT_ID": "from-env", "GENESYS_CLIENT_SECRET": "s"],
            envFile: "GENESYS_CLIENT_ID=from-file\n")
        #expect(configuration.orgs.first?.settings.token.clientID == "from-env")
    }

    @Test func test_envFile_appliesWhenNothingElseSetsIt_andAnEmptyVariableFallsThrough() throws {
        let configuration = try resolve(
            [], environment: ["GENESYS_CLIENT_ID": ""],
            envFile: "GENESYS_REGION=eu-west-1\nGENESYS_CLIENT_ID=from-file\nGENESYS_CLIENT_SECRET=file-secret\n")
        #expect(configuration.orgs.first?.settings.token.clientID == "from-file")
        #expect(configuration.orgs.first?.settings.token.clientSecret.exposedValue == "file-secret")
        #expect(
            configuration.orgs.first?.settings.token.hosts
                == GenesysHosts(region: try #require(GenesysRegion.named("mypurecloud.ie"))))
    }

    @Test func test_defaults_whenOnlyCredentialsAreGiven() throws {
        let configuration = try resolve(
            Self.region, environment: ["GENESYS_CLIENT_ID": "id", "GENESYS_CLIENT_SECRET": "s"])
        #expect(configuration.listenHost == "0.0.0.0")
        #expect(configuration.listenPort == 9985)
        #expect(configuration.telemetryPath == "/metrics")
        #expect(configuration.orgs.first?.settings.pollInterval == .seconds(60))
        #expect(configuration.orgs.first?.settings.requestTimeout == .seconds(30))
        #expect(
            configuration.orgs.first?.settings.enabledCollectors == [
                "identity", "queues", "observations", "queue_performance", "flows", "data_actions", "telephony",
                "api_usage",
            ])
        #expect(configuration.orgs.first?.settings.queueSelection.maxSeries == 500)
        #expect(configuration.orgs.first?.settings.token.grant == .clientCredentials)
        #expect(configuration.warnings.isEmpty)
    }

    @Test func test_secretFlag_isUsed_butWarnedAbout_andTheSecretFileWinsOverIt() throws {
        let fromFlag = try resolve(
            Self.region + ["--genesys.client-id", "id", "--genesys.client-secret", "flag-secret"])
        #expect(fromFlag.orgs.first?.settings.token.clientSecret.exposedValue == "flag-secret")
        #expect(fromFlag.warnings.count == 1)
        #expect(fromFlag.warnings.first?.contains("--genesys.client-secret") == true)
        #expect(fromFlag.warnings.first?.contains("flag-secret") == false)

        let options = try ExporterOptions.parse(
            Self.region + ["--genesys.client-id", "id", "--genesys.client-secret-file", "/run/secret"]
        ).flags
        let fromFile = try ConfigurationResolver.resolve(
            options, environment: ["GENESYS_CLIENT_SECRET": "env-secret"], fileExists: { _ in false },
            readFile: { path in path == "/run/secret" ? "file-secret\n" : "" })
        #expect(
            fromFile.orgs.first?.settings.token.clientSecret.exposedValue == "file-secret",
            "trailing newline trimmed, file before variable")
    }

    @Test func test_missingOrBadSettings_nameTheFlagOrVariable() throws {
        #expect(
            try configurationError(Self.region, environment: ["GENESYS_CLIENT_SECRET": "s"])?.description.contains(
                "GENESYS_CLIENT_ID") == true)
        #expect(
            try configurationError(Self.region, environment: ["GENESYS_CLIENT_ID": "id"])?.description.contains(
                "GENESYS_CLIENT_SECRET") == true)
        #expect(
            try configurationError([], environment: ["GENESYS_CLIENT_ID": "id", "GENESYS_CLIENT_SECRET": "s"])?
                .description.contains("--genesys.region") == true)
        #expect(
            try configurationError(["--poll.interval", "banana"])
                == .invalid(
                    setting: "--poll.interval",
                    reason: "'banana' is not a duration like 30s, 5m or 1h"))
        #expect(
            try configurationError(["--poll.interval", "500ms"])?.description.hasPrefix("--poll.interval:") == true,
            "below the 1 s minimum")
        #expect(
            try configurationError(["--web.telemetry-path", "metrics"])?.description.hasPrefix("--web.telemetry-path")
                == true)
        #expect(
            try configurationError(["--web.telemetry-path", "/-/ready"])?.description.hasPrefix("--web.telemetry-path")
                == true)
        #expect(try configurationError(["--log.level", "loud"])?.description.hasPrefix("--log.level") == true)
        #expect(
            try configurationError(["--collector.queues.name-filter", "("])?.description.hasPrefix(
                "--collector.queues.name-filter") == true)
        #expect(
            try configurationError(["--no-collector.identity", "--no-collector.queues", "--no-collector.observations"])
                != nil)
        #expect(
            try configurationError(
                Self.region + ["--genesys.client-id", "id", "--genesys.client-secret-file", "/missing"]
            ).map {
                if case .unreadableFile(path: "/missing", setting: "--genesys.client-secret-file", reason: _) = $0 {
                    true
                } else {
                    false
                }
            } == true)
    }

    @Test func test_badEnvFileLine_isReportedWithItsLineNumber() throws {
        let error = try configurationError(
            Self.region, envFile: "# settings\nGENESYS_CLIENT_ID=id\nthis line is wrong\n")
        #expect(error == .invalid(setting: ".env line 3", reason: "expected KEY=VALUE"))
    }

    @Test func test_demo_needsNoCredentials() throws {
        let configuration = try resolve(["--demo"])
        #expect(configuration.demo)
        #expect(configuration.orgs.isEmpty)
    }

    @Test func test_demo_turnsOnEveryCollector_unlessOneIsTurnedOff() throws {
        func demoCollectors(_ arguments: [String]) throws -> Set<String> {
            try resolve(["--demo"] + arguments).demoOrg(
                apiBaseURL: "http://127.0.0.1:1", clientID: "c", clientSecret: "s"
            )
            .enabledCollectors
        }
        #expect(try demoCollectors([]) == Set(CollectorRegistry.names))
        #expect(try !demoCollectors(["--no-collector.estimated_wait"]).contains("estimated_wait"))
        #expect(try demoCollectors(["--collector.disable-defaults", "--collector.queues"]) == ["queues"])
    }
}

@Suite("Configuration: .env parsing")
struct ConfigEnvFileTests {
    @Test func test_parsesAssignments_quotes_comments_exportAndInlineComments() throws {
        let text = """
            # a comment line

            PLAIN=value
            export EXPORTED=yes
              SPACED = around equals\t
            DOUBLE="a b # not a comment"
            SINGLE='$HOME # kept'
            ESCAPES="line\\nnext \\"quoted\\" back\\\\slash"
            INLINE=value # a comment
            HASH=no#comment
            EMPTY=
            QUOTED_THEN_COMMENT="kept" # dropped
            CRLF=windows\r
            EQUALS=a=b=c
            """
        let values = try EnvFile.parse(text)
        #expect(values["PLAIN"] == "value")
        #expect(values["EXPORTED"] == "yes")
        #expect(values["SPACED"] == "around equals")
        #expect(values["DOUBLE"] == "a b # not a comment")
        #expect(values["SINGLE"] == "$HOME # kept", "no expansion, no comment inside quotes")
        #expect(values["ESCAPES"] == "line\nnext \"quoted\" back\\slash")
        #expect(values["INLINE"] == "value")
        #expect(values["HASH"] == "no#comment")
        #expect(values["EMPTY"] == "")
        #expect(values["QUOTED_THEN_COMMENT"] == "kept")
        #expect(values["CRLF"] == "windows")
        #expect(values["EQUALS"] == "a=b=c")
        #expect(values.count == 12)
    }

    @Test func test_singleQuotes_takeBackslashesLiterally() throws {
        #expect(try EnvFile.parse(#"RAW='C:\path\n'"#)["RAW"] == #"C:\path\n"#)
    }

    @Test func test_lineWithoutEquals_isAnErrorNamingFileAndLine() {
        #expect(throws: ConfigurationError.invalid(setting: "custom.env line 2", reason: "expected KEY=VALUE")) {
            try EnvFile.parse("A=1\nNOT AN ASSIGNMENT\n", path: "custom.env")
        }
    }

    @Test func test_crlfLineEnds_areLineEnds_andCountForLineNumbers() throws {
        #expect(try EnvFile.parse("A=1\r\nB=\"two\"\r\n") == ["A": "1", "B": "two"])
        #expect(throws: ConfigurationError.invalid(setting: ".env line 2", reason: "expected KEY=VALUE")) {
            try EnvFile.parse("A=1\r\nbroken\r\n")
        }
    }

    @Test func test_badVariableName_andUnterminatedQuote_areErrorsWithLineNumbers() {
        #expect(throws: ConfigurationError.invalid(setting: ".env line 1", reason: "'MY-VAR' is not a variable name")) {
            try EnvFile.parse("MY-VAR=1")
        }
        #expect(throws: ConfigurationError.invalid(setting: ".env line 3", reason: "unterminated \" quote")) {
            try EnvFile.parse("A=1\n\nB=\"open\n")
        }
    }
}

@Suite("Configuration: durations")
struct ConfigDurationTests {
    @Test(arguments: [
        ("90s", Duration.seconds(90)), ("1m30s", .seconds(90)), ("500ms", .milliseconds(500)), ("2h", .seconds(7200)),
        ("15", .seconds(15)), ("1.5", .milliseconds(1500)), ("1.5m", .seconds(90)), ("1d", .seconds(86400)),
        ("1h2m3s4ms", .milliseconds(3_723_004)), (" 30s ", .seconds(30)), ("0", .zero),
    ])
    func test_parses(_ text: String, _ expected: Duration) {
        #expect(DurationParser.parse(text) == expected)
    }

    @Test(arguments: [
        "banana", "", "s", "10x", "5m3", "-5", "-5s", "1..5s", "ms", "inf", "nan", "1e400", "infinity", "1e300",
        "9999999999999999999h",
    ])
    func test_rejects(_ text: String) {
        #expect(DurationParser.parse(text) == nil)
    }
}

@Suite("Configuration: listen addresses, regions and API hosts")
struct ConfigAddressAndRegionTests {
    @Test(arguments: [
        (":9985", "0.0.0.0", 9985), ("127.0.0.1:9985", "127.0.0.1", 9985), ("[::1]:9985", "::1", 9985),
        ("0.0.0.0:0", "0.0.0.0", 0), ("localhost:8080", "localhost", 8080), ("[::]:9985", "::", 9985),
    ])
    func test_listenAddress_forms(_ address: String, _ host: String, _ port: Int) throws {
        let parsed = try ConfigurationResolver.listenAddress(address)
        #expect(parsed.0 == host)
        #expect(parsed.1 == port)
    }

    @Test(arguments: ["9985", "127.0.0.1", ":", ":http", "127.0.0.1:65536", "127.0.0.1:-1", ""])
    func test_listenAddress_rejects(_ address: String) {
        #expect(throws: ConfigurationError.self) { try ConfigurationResolver.listenAddress(address) }
    }

    @Test func test_apiURL_derivesTheLoginHost_andNormalises() throws {
        let hosts = try GenesysHosts(apiBaseURL: "api.mypurecloud.ie/")
        #expect(hosts.apiBaseURL == "https://api.mypurecloud.ie")
        #expect(hosts.loginBaseURL == "https://login.mypurecloud.ie")
        #expect(hosts.tokenURL == "https://login.mypurecloud.ie/oauth/token")
        let explicit = try GenesysHosts(
            apiBaseURL: "https://proxy.example.com/genesys", loginBaseURL: "https://login.example.com")
        #expect(explicit.loginBaseURL == "https://login.example.com")
    }

    @Test(arguments: ["http://127.0.0.1:8080", "http://localhost:9000", "http://[::1]:8080", "http://127.0.0.2"])
    func test_plainHTTP_isAllowedForLoopback(_ url: String) throws {
        #expect(try GenesysHosts(apiBaseURL: url).apiBaseURL == url)
    }

    @Test(arguments: [
        "http://api.mypurecloud.com", "http://10.0.0.1:8080", "http://[2001:db8::1]:80", "ftp://api.mypurecloud.com",
        "http://localhost.example.com",
    ])
    func test_plainHTTP_isRefusedForOtherHosts(_ url: String) {
        #expect(throws: ConfigurationError.self) { try GenesysHosts(apiBaseURL: url) }
        #expect(throws: ConfigurationError.self) {
            try GenesysHosts(apiBaseURL: "https://api.mypurecloud.com", loginBaseURL: url)
        }
    }

    /// Host names that merely start with "127." (or carry 127.0.0.1 as user info) are remote hosts: plain http
    /// would send the client secret in the clear.
    @Test(arguments: [
        "http://127.0.0.1.nip.io", "http://127.attacker.example", "http://127.0.0.1@attacker.example",
        "http://127.0.0.256",
    ])
    func test_plainHTTP_isRefusedForNamesThatOnlyLookLikeLoopback(_ url: String) {
        #expect(throws: ConfigurationError.self) { try GenesysHosts(apiBaseURL: url) }
        #expect(throws: ConfigurationError.self) {
            try GenesysHosts(apiBaseURL: "https://api.mypurecloud.com", loginBaseURL: url)
        }
    }
}

@Suite("Configuration errors are one line")
struct ConfigurationErrorLineTests {
    @Test func test_aValueWithLineBreaks_staysOnOneLine() {
        let error = ConfigurationError.invalid(
            setting: "orgs.yml: org \"a\": key \"region\"", reason: "'x\ny\r\u{2028}z'")
        #expect(!error.description.contains("\n") && !error.description.contains("\r"))
        #expect(error.description.hasSuffix("'x\\u{a}y\\u{d}\\u{2028}z'"))
    }
}
