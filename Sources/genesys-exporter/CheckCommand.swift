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
        var flags = options.flags
        // check serves nothing: the unit's flags can be copied as they are, outside systemd too.
        flags.systemdSocket = false
        let configuration = try ConfigurationResolver.resolve(flags)
        let logger = bootstrapLogging(configuration)
        let (orgs, simulator) = try await monitoredOrgs(configuration, demoQueues: options.demoQueues, logger: logger)
        let fromFile = configuration.configFile != nil
        var failedOrgs: [String] = []
        for org in orgs {
            // client_credentials: a fresh token, so a check never disturbs a running exporter's cache. refresh_token:
            // the same cache, since a redeemed refresh token is spent and only the cache carries its successor.
            let settings = org.settings.token.grant == .refreshToken ? org.settings : org.withoutTokenCache.settings
            let monitor = OrgMonitor(settings: settings, logger: logger)
            let rows = await ConnectivityCheck(monitor: monitor).run()
            await monitor.http.close()
            let failed = rows.filter { !$0.ok }.count
            let verdict = failed == 0 ? "all \(rows.count) checks passed" : "\(failed) of \(rows.count) checks failed"
            if fromFile {
                // Every org of the file (of the shard), one table each.
                print("org \(org.name): \(verdict)")
                print(ConnectivityCheck.table(rows))
                print("")
            } else {
                print(ConnectivityCheck.table(rows))
                print("\n\(verdict)")
            }
            if failed > 0 { failedOrgs.append(org.name) }
        }
        try? await simulator?.shutdown()
        if fromFile {
            print(
                failedOrgs.isEmpty
                    ? "all \(orgs.count) orgs passed"
                    : "\(failedOrgs.count) of \(orgs.count) orgs failed: \(failedOrgs.joined(separator: ", "))")
        }
        if !failedOrgs.isEmpty { throw ExitCode(1) }
    }
}
