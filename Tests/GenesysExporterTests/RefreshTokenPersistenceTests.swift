import Foundation
import GenesysAuthTestSupport
import GenesysSimulator
import GenesysTestSupport
import SimulatorTestSupport
import Testing

@testable import GenesysAuth
@testable import GenesysExporter
@testable import genesys_exporter

/// A refresh token is single use: its rotated successor must never be lost, by a restart, by `check`,
/// or by two processes sharing one cache file.
@Suite("Refresh token persistence")
struct RefreshTokenPersistenceTests {
    @Test(.timeLimit(.minutes(1)))
    func test_twoProvidersSharingACache_neverSpendEachOthersRefreshToken() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cacheFile = directory + "/token.json"
        try await withSimulator { sim in
            let configuration = try sim.tokenConfiguration(
                grant: .refreshToken, refreshToken: sim.issueRefreshToken(), cacheFile: cacheFile)
            let exporter = TokenRig(configuration)
            defer { exporter.shutdown() }
            let first = try await exporter.provider.validToken()

            // A second process (say `check`) renews and rotates the refresh token in the shared cache.
            let other = TokenRig(configuration)
            defer { other.shutdown() }
            await other.provider.invalidate(try await other.provider.validToken())
            let othersToken = try await other.provider.validToken()
            #expect(sim.counters().tokenRequests["refresh_token"] == 2)

            // The first process, asked to renew, adopts the newer token instead of redeeming its spent refresh token.
            await exporter.provider.invalidate(first)
            let adopted = try await exporter.provider.validToken()
            #expect(adopted.value == othersToken.value)
            #expect(sim.counters().tokenRequests["refresh_token"] == 2)
            // And its next renewal redeems the newest refresh token: no invalid_grant anywhere.
            await exporter.provider.invalidate(adopted)
            _ = try await exporter.provider.validToken()
            #expect(sim.counters().tokenRequests["refresh_token"] == 3)
            #expect(
                try exporter.scrape().value("genesys_token_refresh_failures_total", ["reason": "invalid_grant"]) == 0)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func test_unsavableRotation_logsAnErrorEveryTime_andFailsReadiness() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let notADirectory = directory + "/file"
        _ = FileManager.default.createFile(atPath: notADirectory, contents: Data("x".utf8))
        try await withSimulator { sim in
            let capture = LogCapture()
            let configuration = try sim.tokenConfiguration(
                grant: .refreshToken, refreshToken: sim.issueRefreshToken(),
                cacheFile: notADirectory + "/token.json")
            let rig = TokenRig(configuration, logger: capture.logger())
            defer { rig.shutdown() }
            let token = try await rig.provider.validToken()
            await rig.provider.invalidate(token)
            _ = try await rig.provider.validToken()
            let errors = capture.all.filter { $0.hasPrefix("error") && $0.contains("refresh token is only in memory") }
            #expect(errors.count == 2, "\(capture.all)")
            let problem = try #require(rig.provider.persistenceProblem)
            #expect(problem.contains("restart"))

            var monitorConfiguration = configuration
            monitorConfiguration.refreshToken = Secret(sim.issueRefreshToken())
            let monitor = OrgMonitor(settings: try sim.orgSettings(token: monitorConfiguration), logger: quietLogger)
            defer { monitor.http.shutdown() }
            _ = try await monitor.tokens.validToken()
            let readiness = monitor.readinessStatus()
            #expect(!readiness.ready)
            #expect(readiness.reason.contains("refresh token"), "\(readiness.reason)")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func test_check_usesTheCachedAccessToken_withoutRedeemingTheRefreshToken() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cacheFile = directory + "/token.json"
        try await withSimulator { sim in
            let configuration = try sim.tokenConfiguration(
                grant: .refreshToken, refreshToken: sim.issueRefreshToken(), cacheFile: cacheFile)
            let exporter = TokenRig(configuration)
            defer { exporter.shutdown() }
            _ = try await exporter.provider.validToken()

            let monitor = OrgMonitor(settings: try sim.orgSettings(token: configuration), logger: quietLogger)
            defer { monitor.http.shutdown() }
            let rows = await ConnectivityCheck(monitor: monitor).run()
            let tokenRow = try #require(rows.first)
            #expect(tokenRow.ok)
            #expect(tokenRow.verdict.contains("not redeemed"), "\(tokenRow.verdict)")
            #expect(sim.counters().tokenRequests["refresh_token"] == 1, "only the exporter's own request")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func test_check_refusesToRedeemARefreshTokenItCouldNotPersist() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let notADirectory = directory + "/file"
        _ = FileManager.default.createFile(atPath: notADirectory, contents: Data("x".utf8))
        try await withSimulator { sim in
            let configuration = try sim.tokenConfiguration(
                grant: .refreshToken, refreshToken: sim.issueRefreshToken(),
                cacheFile: notADirectory + "/token.json")
            let monitor = OrgMonitor(settings: try sim.orgSettings(token: configuration), logger: quietLogger)
            defer { monitor.http.shutdown() }
            let rows = await ConnectivityCheck(monitor: monitor).run()
            let tokenRow = try #require(rows.first)
            #expect(!tokenRow.ok)
            #expect(tokenRow.verdict.contains("not redeemed"), "\(tokenRow.verdict)")
            #expect(rows.count == 1)
            #expect(sim.counters().tokenRequests.values.reduce(0, +) == 0)
        }
    }

    @Test func test_refreshGrantWithoutCacheFile_isAConfigurationErrorNamingTheFlag() throws {
        let options = try ExporterOptions.parse([
            "--genesys.region", "mypurecloud.ie", "--genesys.client-id", "id", "--genesys.grant", "refresh_token",
        ]).flags
        do {
            _ = try ConfigurationResolver.resolve(
                options, environment: ["GENESYS_CLIENT_SECRET": "s", "GENESYS_REFRESH_TOKEN": "r"],
                fileExists: { _ in false }, readFile: { _ in "" })
            Issue.record("resolved without a cache file")
        } catch {
            #expect("\(error)".contains("--token.cache-file"), "\(error)")
            #expect(!"\(error)".contains("\n"))
        }
    }
}
