import Foundation
import GenesysBase
import GenesysBaseTestSupport
import GenesysHTTP
import GenesysSimulator
import GenesysTestSupport
import SimulatorTestSupport
import Testing

@Suite("The genesys-exporter executable")
struct ExecutableTests {
    static func exporter() throws -> String {
        try #require(
            ChildProcess.exporterPath,
            "the genesys-exporter product next to the test bundle (swift build --build-tests builds it)")
    }

    struct BadConfiguration: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        let environment: [String: String]
        /// What the one error line must name.
        let names: String

        var testDescription: String { "\(arguments.joined(separator: " ")) → names \(names)" }
    }

    @Test(arguments: [
        BadConfiguration(
            arguments: ["--genesys.region", "mypurecloud.ie"], environment: ["GENESYS_CLIENT_SECRET": "x"],
            names: "GENESYS_CLIENT_ID"),
        BadConfiguration(
            arguments: ["--genesys.region", "atlantis"],
            environment: ["GENESYS_CLIENT_ID": "id", "GENESYS_CLIENT_SECRET": "x"],
            names: "--genesys.region"),
        BadConfiguration(
            arguments: [],
            environment: ["GENESYS_REGION": "atlantis", "GENESYS_CLIENT_ID": "id", "GENESYS_CLIENT_SECRET": "x"],
            names: "GENESYS_REGION"),
        BadConfiguration(arguments: ["--poll.interval", "banana"], environment: [:], names: "--poll.interval"),
        BadConfiguration(arguments: ["--poll.interval", "inf"], environment: [:], names: "--poll.interval"),
        BadConfiguration(
            arguments: [
                "--genesys.region", "mypurecloud.ie", "--genesys.client-id", "id",
                "--genesys.client-secret-file", "/nonexistent/genesys-secret",
            ], environment: [:],
            names: "--genesys.client-secret-file"),
        BadConfiguration(
            arguments: ["--genesys.api-url", "http://api.example.com", "--genesys.client-id", "id"],
            environment: ["GENESYS_CLIENT_SECRET": "x"], names: "--genesys.api-url"),
        BadConfiguration(
            arguments: ["--web.listen-address", "nowhere"], environment: [:], names: "--web.listen-address"),
        BadConfiguration(arguments: ["--no-such-flag"], environment: [:], names: "--no-such-flag"),
    ])
    func test_badConfiguration_exits2_withOneLineNamingTheSetting(_ bad: BadConfiguration) async throws {
        let result = try await ChildProcess.run(
            try Self.exporter(), bad.arguments, environment: bad.environment, timeout: .seconds(20))
        #expect(result.status == 2 && !result.signalled, "exit status; stderr: \(result.stderr)")
        #expect(result.stderrLines.count == 1, "one line on stderr: \(result.stderr)")
        #expect(result.stderr.contains(bad.names), "names \(bad.names): \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func test_version_exits0_andPrintsTheVersion() async throws {
        let result = try await ChildProcess.run(try Self.exporter(), ["--version"], timeout: .seconds(20))
        #expect(result.status == 0)
        #expect(result.stdout.contains("genesys-exporter \(BuildInfo.version)"), "\(result.stdout)")
    }

    static func simulatorFlags(_ sim: GenesysSimulator) -> [String] {
        ["--genesys.api-url", sim.baseURL, "--genesys.login-url", sim.baseURL]
    }

    static func credentials(_ sim: GenesysSimulator) -> [String: String] {
        ["GENESYS_CLIENT_ID": sim.configuration.clientID, "GENESYS_CLIENT_SECRET": sim.configuration.clientSecret]
    }

    @Test func test_check_printsTheTable_andExits0_whenEverythingWorks() async throws {
        try await withSimulator { sim in
            let result = try await ChildProcess.run(
                try Self.exporter(),
                [
                    "check", "--collector.agents", "--collector.queue_performance.wrapup-codes=3",
                    "--collector.observations.mode=stream",
                ]
                    + Self.simulatorFlags(sim),
                environment: Self.credentials(sim))
            #expect(result.status == 0, "stdout: \(result.stdout) stderr: \(result.stderr)")
            #expect(result.stdout.contains("ENDPOINT"))
            for row in [
                "POST /oauth/token (client_credentials)", "GET /api/v2/tokens/me", "GET /api/v2/organizations/me",
                "GET /api/v2/routing/queues", "POST /api/v2/analytics/queues/observations/query",
                "POST /api/v2/analytics/conversations/aggregates/query", "GET /api/v2/telephony/providers/edges",
                "GET /api/v2/telephony/providers/edges/trunks/metrics", "GET /api/v2/telephony/providers/edges/metrics",
                "POST /api/v2/usage/query", "GET /api/v2/usage/query/{executionId}/results",
                "POST /api/v2/oauth/clients/{clientId}/usage/query", "GET /api/v2/flows",
                "POST /api/v2/analytics/flows/aggregates/query", "GET /api/v2/integrations/actions",
                "POST /api/v2/analytics/actions/aggregates/query", "GET /api/v2/routing/wrapupcodes",
                "GET /api/v2/users", "POST /api/v2/analytics/users/observations/query",
                "POST /api/v2/analytics/users/aggregates/query", "POST /api/v2/notifications/channels",
                "PUT /api/v2/notifications/channels/{channelId}/subscriptions",
                "HEAD /api/v2/notifications/channels/{channelId}",
                "DELETE /api/v2/notifications/channels/{channelId}/subscriptions",
            ] {
                #expect(result.stdout.contains(row), "row \(row)")
            }
            #expect(result.stdout.contains("all 31 checks passed"), "\(result.stdout)")
            #expect(sim.counters().apiRequests(path: "/api/v2/routing/queues", status: 200) == 1)
        }
    }

    /// `check` serves nothing, so the systemd unit's `--web.systemd-socket` can be copied to it outside systemd.
    @Test func test_check_ignoresTheSystemdSocketFlag() async throws {
        try await withSimulator { sim in
            let result = try await ChildProcess.run(
                try Self.exporter(), ["check", "--web.systemd-socket"] + Self.simulatorFlags(sim),
                environment: Self.credentials(sim))
            #expect(result.status == 0, "stdout: \(result.stdout) stderr: \(result.stderr)")
            #expect(result.stdout.contains("all 23 checks passed"), "\(result.stdout)")
        }
    }

    @Test func test_check_exits1_namingTheMissingScope() async throws {
        try await withSimulator { sim in
            sim.setMissingPermissions(["routing:queue:view"])
            let result = try await ChildProcess.run(
                try Self.exporter(), ["check"] + Self.simulatorFlags(sim), environment: Self.credentials(sim))
            #expect(result.status == 1, "stdout: \(result.stdout) stderr: \(result.stderr)")
            #expect(result.stdout.contains("missing scope routing:queue:view"), "\(result.stdout)")
        }
    }

    @Test func test_secretOnTheCommandLine_isWarnedAbout_andNeverPrinted() async throws {
        let secret = "cmdline-secret-\(UInt32.random(in: 100_000...999_999))"
        try await withSimulator(SimulatorConfiguration(clientSecret: secret)) { sim in
            let result = try await ChildProcess.run(
                try Self.exporter(),
                ["check", "--log.level", "debug", "--genesys.client-secret", secret] + Self.simulatorFlags(sim),
                environment: ["GENESYS_CLIENT_ID": sim.configuration.clientID])
            #expect(result.status == 0, "the secret from the flag was used; stdout: \(result.stdout)")
            #expect(result.stderr.contains("--genesys.client-secret"), "a warning about the flag: \(result.stderr)")
            #expect(!result.stderr.contains(secret))
            #expect(!result.stdout.contains(secret))
        }
    }

    /// `echo "$SECRET" > file` leaves a trailing newline; it is not part of the secret.
    @Test func test_secretFile_withTrailingNewline_logsIn() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("genesys-secret-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try await withSimulator { sim in
            try Data((sim.configuration.clientSecret + "\n").utf8).write(to: file)
            let result = try await ChildProcess.run(
                try Self.exporter(), ["check", "--genesys.client-secret-file", file.path] + Self.simulatorFlags(sim),
                environment: ["GENESYS_CLIENT_ID": sim.configuration.clientID])
            #expect(result.status == 0, "stdout: \(result.stdout) stderr: \(result.stderr)")
            #expect(sim.counters().tokensIssued == 1)
        }
    }

    @Test func test_demo_serves40Queues_andExits0WithinTwoSecondsOfSIGTERM() async throws {
        let port = try RawHTTP.freePort()
        let child = try ChildProcess(try Self.exporter(), ["--demo", "--web.listen-address", "127.0.0.1:\(port)"])
        defer { child.forceKill() }
        let client = HTTPClient()
        defer { client.shutdown() }
        try await awaitCondition("the demo serving genesys_routing_queues 40", timeout: .seconds(30)) {
            guard let response = try? await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/metrics")),
                response.status == 200
            else { return false }
            return try Exposition.parse(response.bodyText).value("genesys_routing_queues") == 40
        }
        let signalled = ContinuousClock.now
        child.terminate()
        let result = try await child.wait(timeout: .seconds(10))
        let took = ContinuousClock.now - signalled
        print("demo exporter exited \(took) after SIGTERM")
        #expect(result.status == 0 && !result.signalled, "exit status \(result.status); stderr: \(result.stderr)")
        #expect(took < .seconds(2))
        #expect(result.stdout.contains("demo mode"))
    }

    /// The executable in multi-org mode: a SIGHUP reloads the file (an org added), SIGTERM stops it cleanly.
    @Test func test_configFile_servesEveryOrg_andSIGHUPReloadsIt() async throws {
        try await withSimulator { first in
            try await withSimulator { second in
                let directory = try MultiOrgTests.OrgsDirectory()
                try directory.write([("first", first, nil)])
                let port = try RawHTTP.freePort()
                let child = try ChildProcess(
                    try Self.exporter(),
                    [
                        "--config.file", directory.file, "--poll.interval", "1s", "--web.listen-address",
                        "127.0.0.1:\(port)",
                    ])
                defer { child.forceKill() }
                let client = HTTPClient()
                defer { client.shutdown() }
                func orgsServed() async -> Set<String> {
                    guard let response = try? await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/metrics")),
                        let scrape = try? Exposition.parse(response.bodyText)
                    else { return [] }
                    return Set(
                        scrape.samples("genesys_collector_up").filter { $0.value == 1 }.compactMap { $0.labels["org"] })
                }
                try await awaitCondition("the first org served", timeout: .seconds(30)) {
                    await orgsServed() == ["first"]
                }
                try directory.write([("first", first, nil), ("second", second, nil)])
                child.signal(SIGHUP)
                try await awaitCondition("both orgs served after SIGHUP", timeout: .seconds(30)) {
                    await orgsServed() == ["first", "second"]
                }
                #expect(first.counters().tokensIssued == 1, "the unchanged org kept its token")
                child.terminate()
                let result = try await child.wait(timeout: .seconds(10))
                #expect(result.status == 0 && !result.signalled, "exit \(result.status); stderr: \(result.stderr)")
                #expect((result.stderr + result.stdout).contains("configuration reloaded"))
            }
        }
    }

    @Test func test_checkWithConfigFile_checksEveryOrg_andNamesTheOneThatFails() async throws {
        try await withSimulator { good in
            try await withSimulator { bad in
                let directory = try MultiOrgTests.OrgsDirectory()
                try directory.write([("good", good, nil), ("bad", bad, "wrong-secret")])
                let result = try await ChildProcess.run(
                    try Self.exporter(), ["check", "--config.file", directory.file], timeout: .seconds(60))
                #expect(result.status == 1, "stdout: \(result.stdout) stderr: \(result.stderr)")
                #expect(result.stdout.contains("org good: all 9 checks passed"), "\(result.stdout)")
                #expect(result.stdout.contains("org bad: "), "\(result.stdout)")
                #expect(result.stdout.contains("1 of 2 orgs failed: bad"), "\(result.stdout)")
                #expect(!(result.stdout + result.stderr).contains("wrong-secret"), "the secret is never printed")
                #expect(!result.stdout.contains("demo"))
            }
        }
    }
}
