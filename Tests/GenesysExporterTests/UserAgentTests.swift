import GenesysAuthTestSupport
import GenesysSimulator
import GenesysTestSupport
import SimulatorTestSupport
import Testing

@testable import GenesysBase
@testable import GenesysExporter

/// The exporter names itself and its version on every request it makes to the API.
@Suite("User-Agent")
struct UserAgentTests {
    @Test func test_userAgent_namesTheExporterAndVersion_onEveryAPIRequest() async throws {
        #expect(BuildInfo.userAgent == "genesys-exporter/\(BuildInfo.version)")
        try await withSimulator { sim in
            let monitor = OrgMonitor(settings: try sim.orgSettings(collectors: ["identity"]), logger: quietLogger)
            _ = try await monitor.tokens.validToken()
            _ = try await monitor.api.get(.organizationsMe)
            let agents = Set(sim.requestLog().map(\.userAgent))
            #expect(agents == [BuildInfo.userAgent], "\(agents)")
        }
    }
}
