import ArgumentParser
import FoundationEssentials
import GenesysExporter
import Glibc

/// `genesys-exporter check`: the first thing an operator runs. Logs in once, calls every enabled
/// collector's endpoints once, prints a table and exits 1 if anything failed.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Log in and call each collector's endpoints once; exit 1 on any failure.",
        discussion: CollectorFlags.help)

    @OptionGroup var options: ExporterOptions

    func run() async throws {
        var configuration = try ConfigurationResolver.resolve(options.flags)
        if configuration.configFile != nil {
            try await checkOrgs(configuration)
            return
        }
        // client_credentials: a fresh token, so a check never disturbs a running exporter's cache. refresh_token:
        // the same cache, since a redeemed refresh token is spent and only the cache carries its successor.
        if configuration.org?.token.grant != .refreshToken { configuration = configuration.withoutTokenCache() }
        let logger = bootstrapLogging(configuration)
        let (org, simulator) = try await orgSettings(configuration, demoQueues: options.demoQueues, logger: logger)
        let monitor = OrgMonitor(settings: org, logger: logger)
        let rows = await ConnectivityCheck(monitor: monitor).run()
        print(ConnectivityCheck.table(rows))
        await monitor.http.close()
        try? await simulator?.shutdown()
        let failed = rows.filter { !$0.ok }.count
        print(failed == 0 ? "\nall \(rows.count) checks passed" : "\n\(failed) of \(rows.count) checks failed")
        if failed > 0 { throw ExitCode(1) }
    }

    /// `check --config.file`: every org of the file (of the shard), one table each.
    private func checkOrgs(_ configuration: ExporterConfiguration) async throws {
        let logger = bootstrapLogging(configuration)
        var failedOrgs: [String] = []
        for org in configuration.orgs {
            // As for one org: a fresh token unless the grant's refresh token lives in the cache.
            let settings = org.settings.token.grant == .refreshToken ? org.settings : org.withoutTokenCache.settings
            let monitor = OrgMonitor(settings: settings, logger: logger)
            let rows = await ConnectivityCheck(monitor: monitor).run()
            await monitor.http.close()
            let failed = rows.filter { !$0.ok }.count
            print(
                "org \(org.name): \(failed == 0 ? "all \(rows.count) checks passed" : "\(failed) of \(rows.count) checks failed")"
            )
            print(ConnectivityCheck.table(rows))
            print("")
            if failed > 0 { failedOrgs.append(org.name) }
        }
        print(
            failedOrgs.isEmpty
                ? "all \(configuration.orgs.count) orgs passed"
                : "\(failedOrgs.count) of \(configuration.orgs.count) orgs failed: \(failedOrgs.joined(separator: ", "))"
        )
        if !failedOrgs.isEmpty { throw ExitCode(1) }
    }
}
