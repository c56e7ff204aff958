import GenesysAuthTestSupport
import GenesysExporter
import GenesysSimulator
import GenesysTestSupport
import SimulatorTestSupport
import Testing

/// What a collector declares in its file holds against the simulator: each endpoint it calls is served (its route
/// file exists), needs exactly the permission the endpoint declares, and answers what the endpoint's decoder reads.
/// With the fuzz corpus check (FuzzCorpusReplayTests) this is what keeps a new collector to four places.
@Suite("Collector contract: every endpoint has a simulator route with its permission, and its answer decodes")
struct CollectorContractTests {
    @Test(arguments: OAuthGrant.allCases)
    func test_everyEndpoint_isServedWithItsDeclaredPermission(grant: OAuthGrant) async throws {
        try await withSimulator(SimulatorConfiguration(queueCount: 3)) { simulator in
            let token = try simulator.tokenConfiguration(
                grant: grant, refreshToken: grant == .refreshToken ? simulator.issueRefreshToken() : nil)
            let monitor = OrgMonitor(
                settings: try simulator.orgSettings(collectors: Set(CollectorRegistry.names), token: token),
                store: MetricStore(), logger: quietLogger)
            var probe = CheckProbe(collectorOptions: monitor.settings.collectorOptions)
            for collector in CollectorRegistry.all {
                // Each streaming collector creates its own channel here (`check` makes one for all of them).
                probe.notificationChannelID = nil
                for endpoint in collector.endpoints(grant: grant) {
                    let call = "\(collector.name): \(endpoint.method) \(endpoint.template)"
                    simulator.setMissingPermissions([])
                    let result = try await collector.check(endpoint, api: monitor.api, probe: &probe)
                    let answer = try #require(result, "\(call) was not tried")
                    if let failure = endpoint.answer?.failure(answer.json) {
                        Issue.record("\(call): the simulator's answer does not decode: \(failure)")
                    }
                    guard let permission = endpoint.permission else { continue }
                    simulator.setMissingPermissions([permission])
                    do throws(APIError) {
                        _ = try await collector.check(endpoint, api: monitor.api, probe: &probe)
                        Issue.record("\(call) succeeded without \(permission)")
                    } catch {
                        #expect(error.reason == .forbidden, "\(call): \(error)")
                        #expect(error.missingPermission == permission, "\(call): \(error)")
                    }
                }
            }
            simulator.setMissingPermissions([])
            await monitor.http.close()
        }
    }
}
