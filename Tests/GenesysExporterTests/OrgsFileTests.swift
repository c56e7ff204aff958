import Foundation
import Testing

@testable import GenesysAuth
@testable import GenesysBase
@testable import GenesysCollectors
@testable import GenesysExporter
@testable import genesys_exporter

/// The error `text` gives as a `--config.file` named orgs.yml, as printed.
private func parseError(_ text: String) -> String? {
    do {
        _ = try OrgsFile.parse(text, path: "orgs.yml")
        return nil
    } catch {
        return error.description
    }
}

/// An org with everything it needs, plus `extra` lines (indented under it).
private func orgsFile(_ extra: String = "", name: String = "acme") -> String {
    """
    orgs:
      - name: \(name)
        region: mypurecloud.com
        client_id: id-1
        client_secret_env: ACME_SECRET
    \(extra.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n"))

    """
}

/// A file system of `files` for the resolver and `loadOrgs`.
private final class FakeFiles: @unchecked Sendable {
    // Guarded by being used from one test at a time.
    var files: [String: String]
    init(_ files: [String: String]) { self.files = files }
    func read(_ path: String) throws -> String {
        guard let text = files[path] else { throw CocoaError(.fileNoSuchFile) }
        return text
    }
    func exists(_ path: String) -> Bool { files[path] != nil }
}

private func resolve(
    _ arguments: [String], files: FakeFiles, environment: [String: String] = [:]
) throws -> ExporterConfiguration {
    try ConfigurationResolver.resolve(
        try ExporterOptions.parse(arguments).flags, environment: environment, fileExists: files.exists,
        readFile: files.read)
}

@Suite("Orgs file: parsing")
struct OrgsFileParsingTests {
    @Test func test_fullOrg_isParsedKeyByKey() throws {
        let text = """
            orgs:
              - name: globex.eu
                api_url: https://api.mypurecloud.ie
                login_url: https://login.mypurecloud.ie
                client_id: globex-client
                client_secret_file: /run/secrets/globex
                grant: refresh_token
                refresh_token_file: /run/secrets/globex-refresh
                token_cache_file: /var/lib/genesys-exporter/globex.json
                collectors: [identity, queues]
                poll_interval: 2m
                queues: {name_filter: "Support.*", max: 100}
            """
        let orgs = try OrgsFile.parse(text, path: "orgs.yml")
        #expect(
            orgs == [
                OrgDefinition(
                    name: "globex.eu", apiURL: "https://api.mypurecloud.ie", loginURL: "https://login.mypurecloud.ie",
                    clientID: "globex-client", clientSecretFile: "/run/secrets/globex", grant: .refreshToken,
                    refreshTokenFile: "/run/secrets/globex-refresh",
                    tokenCacheFile: "/var/lib/genesys-exporter/globex.json", collectors: ["identity", "queues"],
                    pollInterval: .seconds(120), queueNameFilter: "Support.*", queueMax: 100)
            ])
    }

    @Test func test_defaults_areMergedUnderEachOrg_keyByKey_andLocationAndSecretAsAWhole() throws {
        let text = """
            defaults:
              region: mypurecloud.ie
              client_secret_env: SHARED_SECRET
              poll_interval: 30s
              collectors: [identity, queues]
              queues: {name_filter: "Sales.*", max: 500}
            orgs:
              - name: a
                client_id: id-a
              - name: b
                client_id: id-b
                api_url: https://api.usw2.pure.cloud
                client_secret_file: /run/secrets/b
                poll_interval: 90s
                queues: {max: 10}
            """
        let orgs = try OrgsFile.parse(text, path: "orgs.yml")
        #expect(orgs.map(\.name) == ["a", "b"])
        #expect(orgs[0].region == "mypurecloud.ie" && orgs[0].apiURL == nil)
        #expect(orgs[0].clientSecretEnv == "SHARED_SECRET" && orgs[0].clientSecretFile == nil)
        #expect(orgs[0].pollInterval == .seconds(30) && orgs[0].collectors == ["identity", "queues"])
        #expect(orgs[0].queueNameFilter == "Sales.*" && orgs[0].queueMax == 500)
        #expect(orgs[1].region == nil && orgs[1].apiURL == "https://api.usw2.pure.cloud", "not both")
        #expect(orgs[1].clientSecretFile == "/run/secrets/b" && orgs[1].clientSecretEnv == nil, "not both")
        #expect(orgs[1].pollInterval == .seconds(90))
        #expect(orgs[1].queueNameFilter == "Sales.*" && orgs[1].queueMax == 10, "queues merged key by key")
        #expect(orgs[1].grant == .clientCredentials)
    }

    @Test func test_errors_nameTheFileTheOrgAndTheKey_inTheContractsShape() {
        let known =
            "name, region, api_url, login_url, client_id, client_secret_file, client_secret_env, grant, refresh_token_file, token_cache_file, collectors, poll_interval, queues"
        #expect(
            parseError(orgsFile("pol_interval: 60s"))
                == "orgs.yml: org \"acme\": key \"pol_interval\": unknown key (known: \(known))")
        #expect(
            parseError("defaults:\n  max_queues: 5\n" + orgsFile())?.hasPrefix(
                "orgs.yml: defaults: key \"max_queues\": unknown key") == true)
        #expect(
            parseError(orgsFile() + "  - region: mypurecloud.com\n  - region: mypurecloud.ie\n")
                == "orgs.yml: org #2: missing \"name\"")
        #expect(parseError(orgsFile() + "  - {name: acme}\n") == "orgs.yml: duplicate org name \"acme\"")
        #expect(parseError("orgs:\n  - name: a\n   region: [x\n")?.hasPrefix("orgs.yml: line ") == true)
        #expect(parseError("orgs:\n  - name: a\n    region: [x\n")?.contains("not valid YAML") == true)
        #expect(parseError("colour: blue\norgs: []\n")?.hasPrefix("orgs.yml: key \"colour\": unknown key") == true)
        #expect(parseError("") == "orgs.yml: missing \"orgs\" (a list of orgs)")
        #expect(parseError("orgs: []") == "orgs.yml: key \"orgs\": needs at least one org")
        #expect(parseError("orgs: {a: 1}") == "orgs.yml: key \"orgs\": must be a list of orgs")
        #expect(parseError("orgs: [5]") == "orgs.yml: org #1: must be a mapping of keys to values")
    }

    @Test func test_everyBadValue_isRefusedWithItsKey() {
        let cases: [(extra: String, expected: String)] = [
            ("login_url: [a, b]", "key \"login_url\": must be a single value, not a list or mapping"),
            ("poll_interval: 500ms", "key \"poll_interval\": 500ms is shorter than 1s"),
            ("poll_interval: soon", "key \"poll_interval\": \"soon\" is not a duration like 30s, 5m or 1h"),
            ("collectors: [nope]", "key \"collectors\": no collector \"nope\"; there are "),
            ("collectors: []", "key \"collectors\": needs at least one collector"),
            ("collectors: identity", "key \"collectors\": must be a list of collector names"),
            ("queues: {max: -1}", "key \"queues.max\": \"-1\" is not a whole number from 0 to 1000000"),
            ("queues: {max: 99999999999999999999999}", "key \"queues.max\": \"99999999999999999999999\" is not"),
            ("queues: {name_filter: \"(\"}", "key \"queues.name_filter\": \"(\" is not a valid regular expression"),
            ("queues: {maximum: 1}", "key \"queues.maximum\": unknown key (known: name_filter, max)"),
            ("queues: 5", "key \"queues\": must be a mapping of keys to values"),
            ("client_secret_file: /a", "key \"client_secret_env\": set either client_secret_file or"),
            ("api_url: https://api.example.com", "key \"api_url\": set either region or api_url, not both"),
            ("grant: password", "key \"grant\": \"password\" is not one of client_credentials, refresh_token"),
            ("grant: refresh_token", "missing \"refresh_token_file\""),
            ("grant: refresh_token\nrefresh_token_file: /r", "missing \"token_cache_file\""),
            ("refresh_token_file: /r", "key \"refresh_token_file\": is used only with grant refresh_token"),
            ("token_cache_file: /var/lib/", "key \"token_cache_file\": /var/lib/ must name a file"),
            ("client_id: a\nclient_id: b", "key \"client_id\": given twice"),
        ]
        for (extra, expected) in cases {
            let error = parseError(orgsFile(extra))
            #expect(error?.hasPrefix("orgs.yml: org \"acme\": \(expected)") == true, "\(extra): \(error ?? "nil")")
        }
        #expect(
            parseError(orgsFile(name: "\"bad name!\""))
                == "orgs.yml: org #1: key \"name\": \"bad name!\" must be 1 to 64 of A-Z a-z 0-9 _ . -")
        #expect(parseError(orgsFile(name: String(repeating: "a", count: 65)))?.contains("must be 1 to 64") == true)
        #expect(parseError(orgsFile(name: String(repeating: "a", count: 64))) == nil)
        #expect(
            parseError("orgs:\n  - {name: a, region: mars, client_id: x, client_secret_env: S}\n")?.hasPrefix(
                "orgs.yml: org \"a\": key \"region\": unknown region 'mars'") == true)
        #expect(
            parseError("orgs:\n  - {name: a, client_id: x, client_secret_env: S}\n")
                == "orgs.yml: org \"a\": missing \"region\" (or \"api_url\")")
        #expect(
            parseError("orgs:\n  - {name: a, region: mypurecloud.com, client_secret_env: S}\n")
                == "orgs.yml: org \"a\": missing \"client_id\"")
        #expect(
            parseError("orgs:\n  - {name: a, region: mypurecloud.com, client_id: x}\n")
                == "orgs.yml: org \"a\": missing \"client_secret_file\" (or \"client_secret_env\")")
        #expect(
            parseError("orgs:\n  - {name: a, api_url: 'http://api.example.com', client_id: x, client_secret_env: S}\n")?
                .hasPrefix("orgs.yml: org \"a\": key \"api_url\": plain http") == true)
    }

    @Test func test_aSecretPastedInsteadOfAVariableName_isNeverEchoed() {
        let error = parseError(orgsFile().replacingOccurrences(of: "ACME_SECRET", with: "'s3cr3t+Value/xyz'"))
        #expect(
            error
                == "orgs.yml: org \"acme\": key \"client_secret_env\": must name an environment variable, e.g. ACME_SECRET"
        )
        #expect(error?.contains("s3cr3t") == false)
    }

    @Test func test_hostileInput_givesOneLineErrors() {
        let inputs = [
            "orgs: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000),
            "orgs:\n" + String(repeating: "- ", count: 300) + "x\n",
            "a: &a [1, 2]\nb: &b [*a, *a, *a]\norgs: [*b, *b]\n",
            "orgs:\n  - {name: \"a\\nb\", region: x}\n",
            "orgs:\n  - {\"key\\nwith newline\": 1}\n",
            "orgs: [\"\u{7}\"]\n\t",
            "orgs:\n  - name: a\n    region: mypurecloud.com\n    client_id: x\n    client_secret_env: S\n    <<: {a: 1}\n",
        ]
        for input in inputs {
            let error = parseError(input)
            #expect(error != nil)
            #expect(error?.contains("\n") == false, "\(error ?? "")")
        }
        #expect(parseError("orgs: " + String(repeating: "[", count: 5000))?.contains("nested deeper than") == true)
    }

    @Test func test_duplicateTokenCacheFiles_areRefused() {
        let text = """
            defaults: {region: mypurecloud.com, client_secret_env: S, token_cache_file: /var/lib/t.json}
            orgs:
              - {name: a, client_id: x}
              - {name: b, client_id: y}
            """
        #expect(
            parseError(text)
                == "orgs.yml: org \"b\": key \"token_cache_file\": /var/lib/t.json is already the cache file of org \"a\""
        )
    }
}

@Suite("Orgs file: resolution, shards and flags")
struct OrgsFileResolutionTests {
    static let file = """
        defaults:
          region: mypurecloud.ie
          poll_interval: 30s
        orgs:
          - name: acme
            client_id: acme-id
            client_secret_file: /run/secrets/acme
          - name: globex
            client_id: globex-id
            client_secret_env: GLOBEX_SECRET
            collectors: [identity]
            queues: {name_filter: "Support.*"}
          - name: initech
            api_url: https://api.usw2.pure.cloud
            client_id: initech-id
            client_secret_env: INITECH_SECRET
            grant: refresh_token
            refresh_token_file: /run/secrets/initech-refresh
            token_cache_file: /var/lib/genesys-exporter/initech.json
        """

    fileprivate static func files() -> FakeFiles {
        FakeFiles([
            "orgs.yml": file, "/run/secrets/acme": "acme-secret\r\n",
            "/run/secrets/initech-refresh": "initech-refresh\n",
        ])
    }

    static let environment = ["GLOBEX_SECRET": "globex-secret", "INITECH_SECRET": "initech-secret"]

    @Test func test_configFile_resolvesEveryOrg_secretsTrimmed_flagsUnderTheFile() throws {
        let configuration = try resolve(
            [
                "--config.file", "orgs.yml", "--poll.interval", "45s", "--http.timeout", "10s",
                "--collector.queues.max", "7",
            ],
            files: Self.files(), environment: Self.environment)
        #expect(!configuration.orgs.isEmpty && !configuration.orgs.contains { $0.name == "default" }, "the file's orgs")
        #expect(configuration.configFile == "orgs.yml")
        let orgs = configuration.orgs
        #expect(orgs.map(\.name) == ["acme", "globex", "initech"])
        let acme = orgs[0].settings, globex = orgs[1].settings, initech = orgs[2].settings
        #expect(acme.token.clientSecret.exposedValue == "acme-secret")
        #expect(acme.token.clientID == "acme-id")
        #expect(acme.token.hosts == GenesysHosts(region: try #require(GenesysRegion.named("mypurecloud.ie"))))
        #expect(acme.pollInterval == .seconds(30), "the file's defaults win over --poll.interval")
        #expect(acme.requestTimeout == .seconds(10), "the flag where the file says nothing")
        #expect(acme.enabledCollectors == CollectorRegistry.enabledByDefault)
        #expect(acme.queueSelection.maxSeries == 7 && acme.queueSelection.nameFilter == nil)
        #expect(acme.token.cacheFile == nil)
        #expect(globex.token.clientSecret.exposedValue == "globex-secret")
        #expect(globex.enabledCollectors == ["identity"])
        #expect(globex.queueSelection.nameFilter == "Support.*" && globex.queueSelection.maxSeries == 7)
        #expect(globex.collectorOptions["queues"] == ["name-filter": "Support.*", "max": "7"])
        #expect(initech.token.grant == .refreshToken)
        #expect(initech.token.refreshToken?.exposedValue == "initech-refresh")
        #expect(initech.token.cacheFile == "/var/lib/genesys-exporter/initech.json")
        #expect(initech.token.hosts.apiBaseURL == "https://api.usw2.pure.cloud")
    }

    @Test func test_environmentWinsOverTheEnvFile_forClientSecretEnv() throws {
        let files = Self.files()
        files.files[".env"] = "GLOBEX_SECRET=from-env-file\nINITECH_SECRET=from-env-file\n"
        let configuration = try resolve(
            ["--config.file", "orgs.yml"], files: files, environment: ["GLOBEX_SECRET": "from-environment"])
        #expect(configuration.orgs[1].settings.token.clientSecret.exposedValue == "from-environment")
        #expect(configuration.orgs[2].settings.token.clientSecret.exposedValue == "from-env-file")
        #expect(!"\(configuration)".contains("from-env"), "the kept environment is never printed")
    }

    @Test func test_missingSecrets_nameTheOrgAndKey_withoutAValue() {
        #expect(
            throws: ConfigurationError.invalid(
                setting: "orgs.yml",
                reason: "org \"globex\": key \"client_secret_env\": the environment variable GLOBEX_SECRET is not set")
        ) {
            try resolve(["--config.file", "orgs.yml"], files: Self.files(), environment: ["INITECH_SECRET": "x"])
        }
        let files = Self.files()
        files.files["/run/secrets/acme"] = " \n"
        #expect(
            throws: ConfigurationError.invalid(
                setting: "orgs.yml", reason: "org \"acme\": key \"client_secret_file\": /run/secrets/acme is empty")
        ) {
            try resolve(["--config.file", "orgs.yml"], files: files, environment: Self.environment)
        }
        files.files["/run/secrets/acme"] = nil
        do {
            _ = try resolve(["--config.file", "orgs.yml"], files: files, environment: Self.environment)
            Issue.record("resolved without the secret file")
        } catch {
            #expect(
                "\(error)".hasPrefix(
                    "orgs.yml: org \"acme\": key \"client_secret_file\": cannot read /run/secrets/acme"))
        }
        let unreadable = #expect(throws: ConfigurationError.self) {
            try resolve(["--config.file", "nope.yml"], files: files, environment: Self.environment)
        }
        #expect(unreadable?.description.hasPrefix("--config.file: cannot read nope.yml") == true)
    }

    @Test func test_refreshTokenFile_mayBeGoneOnceTheCacheFileHoldsTheToken() throws {
        let files = Self.files()
        files.files["/run/secrets/initech-refresh"] = nil
        files.files["/var/lib/genesys-exporter/initech.json"] = "{}"
        let configuration = try resolve(["--config.file", "orgs.yml"], files: files, environment: Self.environment)
        #expect(configuration.orgs[2].settings.token.refreshToken == nil)
        files.files["/var/lib/genesys-exporter/initech.json"] = nil
        #expect(throws: ConfigurationError.self) {
            try resolve(["--config.file", "orgs.yml"], files: files, environment: Self.environment)
        }
    }

    @Test func test_singleOrgFlags_demoAndShardWithoutFile_areRefused() throws {
        let refused: [(flag: String, value: String, key: String)] = [
            ("--genesys.client-id", "x", "client_id"), ("--genesys.region", "mypurecloud.ie", "region"),
            ("--genesys.api-url", "https://api.mypurecloud.ie", "api_url"),
            ("--genesys.login-url", "https://login.mypurecloud.ie", "login_url"),
            ("--genesys.client-secret-file", "/s", "client_secret_file"),
            ("--genesys.client-secret", "s", "client_secret_file"), ("--genesys.grant", "refresh_token", "grant"),
            ("--token.cache-file", "/t.json", "token_cache_file"),
        ]
        for (flag, value, key) in refused {
            #expect(
                throws: ConfigurationError.invalid(
                    setting: flag, reason: "cannot be combined with --config.file; set \(key) per org in the file")
            ) {
                try resolve(
                    ["--config.file", "orgs.yml", flag, value], files: Self.files(), environment: Self.environment)
            }
        }
        #expect(
            throws: ConfigurationError.invalid(
                setting: "--demo", reason: "cannot be combined with --config.file; the demo runs one simulated org")
        ) {
            try resolve(["--config.file", "orgs.yml", "--demo"], files: Self.files())
        }
        #expect(
            throws: ConfigurationError.invalid(
                setting: "--config.shard", reason: "needs --config.file (it splits the file's orgs)")
        ) {
            try resolve(["--config.shard", "0/2", "--demo"], files: Self.files())
        }
        // Single-org credentials in the environment are simply not used.
        let configuration = try resolve(
            ["--config.file", "orgs.yml"], files: Self.files(),
            environment: Self.environment.merging(["GENESYS_CLIENT_ID": "ignored", "GENESYS_REGION": "x"]) { $1 })
        #expect(configuration.orgs.count == 3)
        #expect(!configuration.orgs.contains { $0.settings.token.clientID == "ignored" })
    }

    @Test func test_shardFlag_keepsOnlyItsOrgs_andEveryOrgRunsInExactlyOneShard() throws {
        var seen: [String] = []
        for index in 0..<3 {
            let configuration = try resolve(
                ["--config.file", "orgs.yml", "--config.shard", "\(index)/3"], files: Self.files(),
                environment: Self.environment)
            let expected = try OrgShard(index: index, count: 3)
            #expect(configuration.shard == expected)
            seen += configuration.orgs.map(\.name)
        }
        #expect(seen.sorted() == ["acme", "globex", "initech"])
        // Only the shard's secrets are needed: acme's file is missing on the instance that does not run acme.
        let files = Self.files()
        files.files["/run/secrets/acme"] = nil
        let acmeShard = OrgShard.hash("acme") % 3
        let other = (acmeShard + 1) % 3
        _ = try resolve(
            ["--config.file", "orgs.yml", "--config.shard", "\(other)/3"], files: files, environment: Self.environment)
    }

    @Test func test_loadOrgs_readsTheFileAnew_andIsUnchangedComparesDefinitionAndSecrets() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orgs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("orgs.yml").path
        let secret = directory.appendingPathComponent("secret").path
        func write(_ text: String, to file: String) throws {
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        }
        func orgs(pollInterval: String, extra: String = "") -> String {
            """
            orgs:
              - {name: a, region: mypurecloud.com, client_id: x, client_secret_file: \(secret), poll_interval: \(pollInterval)}
              - {name: b, region: mypurecloud.com, client_id: y, client_secret_file: \(secret)}
            \(extra)
            """
        }
        try write(orgs(pollInterval: "60s"), to: path)
        try write("one\n", to: secret)
        let configuration = try ConfigurationResolver.resolve(
            ExporterFlags(configFile: path), environment: [:], fileExists: { _ in false })
        let first = configuration.orgs
        let same = try configuration.loadOrgs()
        #expect(zip(first, same).allSatisfy { $0.isUnchanged(from: $1) })

        try write(
            orgs(
                pollInterval: "90s",
                extra: "  - {name: c, region: mypurecloud.ie, client_id: z, client_secret_file: \(secret)}"), to: path)
        let changed = try configuration.loadOrgs()
        #expect(changed.map(\.name) == ["a", "b", "c"])
        #expect(changed[0].settings.pollInterval == .seconds(90))
        #expect(!changed[0].isUnchanged(from: first[0]), "poll_interval changed")
        #expect(changed[1].isUnchanged(from: first[1]))

        try write("two\n", to: secret)
        let rotated = try configuration.loadOrgs()
        #expect(!rotated[1].isUnchanged(from: changed[1]), "the secret file's content changed")
        #expect(rotated[1].definition == changed[1].definition)

        try write("orgs: [\n", to: path)
        #expect(throws: ConfigurationError.self) { try configuration.loadOrgs() }
        let demo = try ConfigurationResolver.resolve(
            ExporterFlags(demo: true), environment: [:], fileExists: { _ in false })
        #expect(try demo.loadOrgs().isEmpty, "no file, no orgs")
    }
}

@Suite("Orgs file: shard rule")
struct OrgShardTests {
    @Test func test_fnv1a64_matchesTheReferenceValues() {
        // The published FNV-1a 64-bit test vectors.
        #expect(OrgShard.hash("") == 0xcbf2_9ce4_8422_2325)
        #expect(OrgShard.hash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(OrgShard.hash("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func test_shardOfAName_isFixed() throws {
        // Fixed forever: changing them moves orgs between running instances.
        let expected: [(name: String, of7: Int, of3: Int, of2: Int)] = [
            ("acme", 3, 2, 1), ("globex", 6, 2, 0), ("initech", 1, 0, 1), ("globex.eu", 4, 0, 0), ("org-1", 2, 0, 1),
        ]
        #expect(OrgShard.hash("acme") == 0x0724_d383_f4f6_de0f)
        for (name, of7, of3, of2) in expected {
            #expect(try OrgShard(index: of7, count: 7).contains(name), "\(name)")
            #expect(try OrgShard(index: of3, count: 3).contains(name), "\(name)")
            #expect(try OrgShard(index: of2, count: 2).contains(name), "\(name)")
        }
    }

    @Test func test_everyName_isInExactlyOneShard_forEveryN() throws {
        let names = (0..<200).map { "org-\($0)" } + ["acme", "globex.eu", "A_B-c.d", String(repeating: "z", count: 64)]
        for count in [1, 2, 3, 7, 16, 1000] {
            let shards = try (0..<count).map { index throws(ConfigurationError) in
                try OrgShard(index: index, count: count)
            }
            for name in names {
                #expect(shards.filter { $0.contains(name) }.count == 1, "\(name) in \(count) shards")
            }
        }
    }

    @Test func test_parsing_acceptsIOverN_only() throws {
        #expect(try OrgShard(parsing: "0/1") == OrgShard(index: 0, count: 1))
        #expect(try OrgShard(parsing: "999/1000") == OrgShard(index: 999, count: 1000))
        for bad in [
            "", "1", "1/1", "-1/3", "+1/3", "3/3", "0/0", "0/1001", "1/2/3", " 1/2", "a/b", "0x1/2",
            "99999999999999999999/3",
        ] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try OrgShard(parsing: bad) }
            do { _ = try OrgShard(parsing: bad) } catch {
                #expect(error.description.hasPrefix("--config.shard: "))
            }
        }
    }
}
