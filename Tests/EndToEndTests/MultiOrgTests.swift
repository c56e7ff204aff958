import Foundation
import GenesysAuthTestSupport
import GenesysBase
import GenesysBaseTestSupport
import GenesysExporter
import GenesysHTTP
import GenesysServer
import GenesysSimulator
import GenesysTestSupport
import SimulatorTestSupport
import Testing

@testable import genesys_exporter

/// Several orgs in one exporter, each against its own simulator (its own client, token and rate limit), configured
/// through a real `--config.file` as a user writes it.
@Suite("Many orgs: labels, isolation, ?org=, reload, budget")
struct MultiOrgTests {
    /// A temporary directory holding the orgs file and one secret file per org.
    final class OrgsDirectory: Sendable {
        let path: String
        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("orgs-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        var file: String { "\(path)/orgs.yml" }

        /// Writes the orgs file: one entry per (name, simulator, secret), `extra` lines added to each entry.
        func write(
            _ orgs: [(name: String, sim: GenesysSimulator, secret: String?)], extra: [String: String] = [:]
        )
            throws
        {
            var yaml = "orgs:\n"
            for org in orgs {
                let secretFile = "\(path)/\(org.name).secret"
                try (org.secret ?? org.sim.configuration.clientSecret).write(
                    toFile: secretFile, atomically: true, encoding: .utf8)
                yaml += """
                      - name: \(org.name)
                        api_url: \(org.sim.baseURL)
                        client_id: \(org.sim.configuration.clientID)
                        client_secret_file: \(secretFile)
                        collectors: [identity, queues, observations]

                    """
                if let lines = extra[org.name] { yaml += lines }
            }
            try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        }
    }

    static func configuration(
        _ directory: OrgsDirectory, pollInterval: String = "1s", extraFlags: [String] = []
    ) throws
        -> ExporterConfiguration
    {
        let flags = try ExporterOptions.parse(
            ["--config.file", directory.file, "--poll.interval", pollInterval] + extraFlags
        ).flags
        return try ConfigurationResolver.resolve(flags, environment: [:], fileExists: { _ in false })
    }

    /// Runs a multi-org exporter on a free loopback port for `body`.
    static func withOrgsExporter<T>(
        _ configuration: ExporterConfiguration, _ body: (Exporter, String) async throws -> T
    ) async throws -> T {
        let exporter = Exporter(
            orgs: configuration.orgs, loadOrgs: { () throws(ConfigurationError) in try configuration.loadOrgs() },
            listenAddresses: [ListenAddress(host: "127.0.0.1", port: 0)],
            openMetricsCreatedSamples: configuration.openMetricsCreatedSamples, logger: quietLogger)
        let port = try await exporter.server.start()
        exporter.startOrgs()
        do {
            let result = try await body(exporter, "http://127.0.0.1:\(port)")
            await exporter.fleet.stop()
            await exporter.server.stop()
            return result
        } catch {
            await exporter.fleet.stop()
            await exporter.server.stop()
            throw error
        }
    }

    static func scrape(_ base: String, _ path: String = "/metrics") async throws -> (status: Int, text: String) {
        let client = HTTPClient()
        defer { Task { await client.close() } }
        let response = try await client.send(HTTPRequest(method: "GET", url: base + path))
        return (response.status, response.bodyText)
    }

    static func post(_ base: String, _ path: String) async throws -> (status: Int, text: String) {
        let client = HTTPClient()
        defer { Task { await client.close() } }
        let response = try await client.send(HTTPRequest(method: "POST", url: base + path, body: []))
        return (response.status, response.bodyText)
    }

    static func awaitScrape(
        _ base: String, _ what: String, path: String = "/metrics", _ condition: (Exposition) -> Bool
    ) async throws -> Exposition {
        var last: Exposition?
        let met = try await eventually(timeout: .seconds(30)) {
            let exposition = try Exposition.parse(try await scrape(base, path).text)
            last = exposition
            return condition(exposition)
        }
        guard met, let last else { throw ConditionTimedOut(description: "no scrape showed \(what)") }
        return last
    }

    @Test func test_threeOrgs_labelEverySeries_aWrongSecretDownsOnlyItsOrg_andOrgFilters() async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 3, orgName: "Acme")) { acme in
            try await withSimulator(SimulatorConfiguration(queueCount: 4, orgName: "Globex")) { globex in
                try await withSimulator(SimulatorConfiguration(queueCount: 5, orgName: "Initech")) { initech in
                    let directory = try OrgsDirectory()
                    try directory.write([
                        ("acme", acme, nil), ("globex", globex, nil), ("initech", initech, "not-the-secret"),
                    ])
                    try await Self.withOrgsExporter(try Self.configuration(directory)) { _, base in
                        let scrape = try await Self.awaitScrape(base, "two orgs up and one refused") {
                            $0.value("genesys_collector_up", ["org": "acme", "collector": "queues"]) == 1
                                && $0.value("genesys_collector_up", ["org": "globex", "collector": "queues"]) == 1
                                && $0.value("genesys_collector_up", ["org": "globex", "collector": "identity"]) == 1
                                && ($0.value(
                                    "genesys_token_refresh_failures_total",
                                    ["org": "initech", "reason": "invalid_client"]) ?? 0) >= 1
                        }
                        #expect(scrape.value("genesys_routing_queues", ["org": "acme"]) == 3)
                        #expect(scrape.value("genesys_routing_queues", ["org": "globex"]) == 4)
                        #expect(scrape.value("genesys_up", ["org": "initech"]) == 0)
                        // Every genesys_ series but the exporter-wide ones carries its org.
                        let unlabelled = scrape.samples.filter {
                            $0.name.hasPrefix("genesys_") && !$0.name.hasPrefix("genesys_exporter_")
                                && $0.labels["org"] == nil
                        }
                        #expect(unlabelled.isEmpty, "\(unlabelled.prefix(3).map(\.name))")
                        #expect(scrape.value("genesys_exporter_orgs") == 3)
                        let identity = try #require(
                            scrape.samples("genesys_identity_info", ["org": "globex"]).first)
                        #expect(identity.labels["org_name"] == "Globex")
                        // ?org= serves that org alone.
                        let one = try Exposition.parse(try await Self.scrape(base, "/metrics?org=globex").text)
                        #expect(Set(one.samples.compactMap { $0.labels["org"] }) == ["globex"])
                        #expect(try await Self.scrape(base, "/metrics?org=nobody").status == 404)
                        // Not ready while initech cannot log in, and the answer says which org.
                        let ready = try await Self.scrape(base, "/-/ready")
                        #expect(ready.status == 503 && ready.text.contains("org initech"), "\(ready.text)")
                        #expect(!ready.text.contains("org acme"))
                    }
                }
            }
        }
    }

    @Test func test_reload_addsRemovesRestarts_keepsUnchangedTokens_andABrokenFileKeepsTheSet() async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 2)) { first in
            try await withSimulator(SimulatorConfiguration(queueCount: 3)) { second in
                try await withSimulator(SimulatorConfiguration(queueCount: 4)) { third in
                    let directory = try OrgsDirectory()
                    try directory.write([("one", first, nil), ("two", second, nil)])
                    try await Self.withOrgsExporter(try Self.configuration(directory)) { _, base in
                        _ = try await Self.awaitScrape(base, "both orgs polled") { scrape in
                            ["one", "two"].allSatisfy {
                                scrape.value("genesys_collector_up", ["org": $0, "collector": "queues"]) == 1
                            }
                        }
                        let tokensBefore = [first, second].map { $0.counters().tokensIssued }
                        #expect(tokensBefore == [1, 1])
                        // "one" unchanged, "two" removed, "three" added.
                        try directory.write([("one", first, nil), ("three", third, nil)])
                        let reloaded = try await Self.post(base, "/-/reload")
                        #expect(reloaded.status == 200, "\(reloaded.text)")
                        #expect(reloaded.text.contains("1 added, 1 removed, 0 restarted, 1 unchanged"))
                        let after = try await Self.awaitScrape(base, "the new set") {
                            $0.value("genesys_collector_up", ["org": "three", "collector": "queues"]) == 1
                        }
                        #expect(after.samples.allSatisfy { $0.labels["org"] != "two" }, "a removed org's series go")
                        #expect(first.counters().tokensIssued == 1, "an unchanged org keeps its token")
                        #expect(third.counters().tokensIssued == 1)
                        #expect(after.value("genesys_exporter_config_last_reload_successful") == 1)
                        #expect(after.value("genesys_exporter_config_reloads_total", ["result": "success"]) == 1)
                        // A changed org restarts: a new token.
                        try directory.write(
                            [("one", first, nil), ("three", third, nil)],
                            extra: ["one": "    poll_interval: 2s\n"])
                        let changed = try await Self.post(base, "/-/reload")
                        #expect(
                            changed.text.contains("0 added, 0 removed, 1 restarted, 1 unchanged"), "\(changed.text)")
                        try await awaitCondition("the restarted org's new token") { first.counters().tokensIssued == 2 }
                        #expect(third.counters().tokensIssued == 1)
                        // A broken file keeps the running set.
                        try "orgs:\n  - name: one\n    pol_interval: 1s\n".write(
                            toFile: directory.file, atomically: true, encoding: .utf8)
                        let broken = try await Self.post(base, "/-/reload")
                        #expect(broken.status == 500 && broken.text.contains("pol_interval"), "\(broken.text)")
                        let kept = try await Self.awaitScrape(base, "the failed reload recorded") {
                            $0.value("genesys_exporter_config_last_reload_successful") == 0
                        }
                        #expect(kept.value("genesys_exporter_orgs") == 2)
                        #expect(kept.value("genesys_exporter_config_reloads_total", ["result": "failure"]) == 1)
                        #expect(kept.value("genesys_collector_up", ["org": "three", "collector": "queues"]) == 1)
                    }
                }
            }
        }
    }

    @Test func test_budget_slowsOnlyTheOrgWhoseRateLimitRunsLow() async throws {
        // 300 allowed per minute, but the limited org's window is nearly spent after a few polls: 12 per minute.
        try await withSimulator(SimulatorConfiguration(queueCount: 2, rateLimitPerMinute: 12)) { limited in
            try await withSimulator(SimulatorConfiguration(queueCount: 2)) { free in
                let directory = try OrgsDirectory()
                try directory.write([("limited", limited, nil), ("free", free, nil)])
                try await Self.withOrgsExporter(try Self.configuration(directory)) { _, base in
                    let scrape = try await Self.awaitScrape(base, "the limited org slowed down") {
                        ($0.value("genesys_poll_interval_seconds", ["org": "limited", "collector": "queues"]) ?? 0)
                            > 1
                    }
                    #expect(
                        scrape.value("genesys_poll_interval_seconds", ["org": "free", "collector": "queues"]) == 1,
                        "the other org keeps its interval")
                }
            }
        }
    }

    /// The gzip page is joined from pieces compressed per org and family: it must read back as one member holding a
    /// valid page with every org, exactly what a plain scrape of the same moment holds.
    @Test func test_gzipPage_isOneMemberReadingBackToTheSamePage_andPromtoolAcceptsIt() async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 3)) { first in
            try await withSimulator(SimulatorConfiguration(queueCount: 4)) { second in
                let directory = try OrgsDirectory()
                try directory.write([("first", first, nil), ("second", second, nil)])
                // Polling: a stream starting between the two scrapes would add series to the second.
                let polling = try Self.configuration(directory, extraFlags: ["--collector.observations.mode=poll"])
                try await Self.withOrgsExporter(polling) { _, base in
                    _ = try await Self.awaitScrape(base, "both orgs polled") { scrape in
                        ["first", "second"].allSatisfy { org in
                            ["identity", "queues", "observations"].allSatisfy {
                                scrape.value("genesys_collector_up", ["org": org, "collector": $0]) == 1
                            }
                        }
                    }
                    let port = try #require(Int(base.split(separator: ":").last ?? ""))
                    let gzip = try await RawHTTP.send(
                        port: port, method: "GET", path: "/metrics", headers: [("Accept-Encoding", "gzip")])
                    let plain = try await Self.scrape(base)
                    let unzipped = try #require(Gunzip.read(gzip.body))
                    #expect(unzipped.members == 1)
                    let fromGzip = try Exposition.parse(String(decoding: unzipped.bytes, as: UTF8.self))
                    let fromPlain = try Exposition.parse(plain.text)
                    // Polls go on between the two scrapes: the same series, values aside (the queue counts do not move).
                    func stable(_ scrape: Exposition) -> Set<String> {
                        Set(scrape.samples.map { "\($0.name)\($0.labels.sorted { $0.key < $1.key })" })
                    }
                    for org in ["first", "second"] {
                        #expect(
                            fromGzip.value("genesys_routing_queues", ["org": org])
                                == fromPlain.value("genesys_routing_queues", ["org": org]))
                    }
                    #expect(stable(fromGzip) == stable(fromPlain))
                    #expect(Set(fromGzip.samples.compactMap { $0.labels["org"] }) == ["first", "second"])
                    if let promtool = ExpositionFormatTests.promtool {
                        let result = try await ChildProcess.run(
                            promtool, ["check", "metrics"], stdin: Array(plain.text.utf8))
                        #expect(result.status == 0, "promtool: \(result.stdout)\(result.stderr)")
                    }
                }
            }
        }
    }
}
