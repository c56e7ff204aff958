import GenesysBaseTestSupport
import GenesysExporter
import GenesysSimulator
import GenesysTestSupport
import Testing

/// The landing page as a status page, over real HTTP from an exporter polling the simulator.
@Suite("The landing page's status")
struct LandingPageTests {
    /// One collector forbidden, the others up: each row says so, the failure names the permission, the token's
    /// expiry is shown, and no secret is on the page.
    @Test func test_eachCollectorsState_andTheTokenExpiry_areShown_withoutSecrets() async throws {
        let settings: (GenesysSimulator) throws -> OrgSettings = { sim in
            sim.setMissingPermissions(["analytics:queueObservation:view"])
            return try sim.orgSettings(collectors: ["identity", "queues", "observations"])
        }
        try await withExporter(settings: settings) { sim, exporter in
            _ = try await exporter.scrape(until: "every collector's first poll") {
                $0.collectorUp("identity") == 1 && $0.collectorUp("queues") == 1
                    && $0.sum("genesys_api_failures_total", ["reason": "forbidden"]) >= 1
            }
            let response = try await exporter.get("/")
            #expect(response.status == 200)
            #expect(response.headers["Content-Type"]?.hasPrefix("text/html") == true)
            let page = response.bodyText
            #expect(page.contains("<tr><td>identity</td><td class=\"up\">up</td>"))
            #expect(page.contains("<tr><td>queues</td><td class=\"up\">up</td>"))
            #expect(page.contains("<tr><td>observations</td><td class=\"down\">down</td><td>never</td>"))
            #expect(page.contains("analytics:queueObservation:view"), "the failure names the missing permission")
            #expect(page.contains("Access token: expires "))
            #expect(page.contains("API \(sim.baseURL)"))
            // The snapshot has no field for a token; the client secret is the one secret text that could travel.
            #expect(!page.contains(sim.configuration.clientSecret))
        }
    }
}
