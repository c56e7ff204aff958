import GenesysBaseTestSupport
import GenesysExporter
import GenesysSimulator
import GenesysTestSupport
import Testing

@Suite("Status page over a real scrape")
struct StatusPageMetricsTests {
    static let summary = "/api/v2/summary.json"
    static let region = "Americas (US East)"
    static let statuses = [
        "operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance", "unknown",
    ]
    static let impacts = ["none", "minor", "major", "critical", "unknown"]
    static let indicators = ["none", "minor", "major", "critical", "maintenance", "unknown"]

    static func settings(
        _ options: [String: String] = [:], collectors: Set<String> = ["status_page"]
    ) -> (GenesysSimulator) throws -> OrgSettings {
        { sim in
            var settings = try sim.orgSettings(collectors: collectors)
            // A poll a second, so that a test sees a change or a fault cleared soon.
            settings.collectorOptions["status_page"] =
                sim.statusPageOptions.merging(["interval": "1s"]) { $1 }.merging(options) { $1 }
            return settings
        }
    }

    static func polled(_ scrape: Exposition) -> Bool { scrape.collectorUp("status_page") == 1 }

    /// Each of the region group's components has every status, exactly one of them 1; other regions are not shown.
    @Test func test_componentStatuses_areFullStateSets_forTheRegionsComponentsOnly() async throws {
        try await withExporter(settings: Self.settings()) { _, exporter in
            let scrape = try await exporter.scrape(until: "the status page polled", Self.polled)
            let samples = scrape.samples("genesys_status_page_component_status")
            #expect(samples.count == SimulatedStatusPage.components.count * Self.statuses.count)
            #expect(samples.allSatisfy { $0.labels["group"] == Self.region })
            for component in SimulatedStatusPage.components {
                let states = scrape.samples("genesys_status_page_component_status", ["component": component])
                #expect(states.compactMap { $0.labels["status"] }.sorted() == Self.statuses.sorted(), "\(component)")
                #expect(states.map(\.value).reduce(0, +) == 1, "\(component)")
                #expect(
                    scrape.value(
                        "genesys_status_page_component_status", ["component": component, "status": "operational"])
                        == 1)
            }
            #expect(scrape.samples("genesys_status_page_indicator").count == Self.indicators.count)
            #expect(scrape.value("genesys_status_page_indicator", ["indicator": "none"]) == 1)
            #expect(
                scrape.samples("genesys_status_page_incidents").map { $0.labels["impact"] ?? "" }.sorted()
                    == Self.impacts.sorted())
            #expect(scrape.sum("genesys_status_page_incidents") == 0)
        }
    }

    /// A status Statuspage may add later is `unknown`: the component keeps its series, the poll succeeds; a change
    /// in another region's group is not reported.
    @Test func test_componentStatusChanges_areFollowed_andAnUnknownStatusBecomesUnknown() async throws {
        try await withExporter(settings: Self.settings()) { sim, exporter in
            _ = try await exporter.scrape(until: "the status page polled", Self.polled)
            sim.setStatusPageComponentStatus(group: Self.region, component: "Analytics", "major_outage")
            sim.setStatusPageComponentStatus(group: Self.region, component: "Architect", "on_fire")
            sim.setStatusPageComponentStatus(group: "EMEA (Frankfurt)", component: "Web Messaging", "major_outage")
            let scrape = try await exporter.scrape(until: "Architect's status unknown") {
                $0.value("genesys_status_page_component_status", ["component": "Architect", "status": "unknown"]) == 1
            }
            #expect(Self.polled(scrape))
            #expect(
                scrape.value(
                    "genesys_status_page_component_status", ["component": "Analytics", "status": "major_outage"])
                    == 1)
            #expect(
                scrape.value(
                    "genesys_status_page_component_status", ["component": "Analytics", "status": "operational"])
                    == 0)
            #expect(scrape.samples("genesys_status_page_component_status", ["component": "Architect"]).count == 6)
            #expect(
                scrape.value(
                    "genesys_status_page_component_status", ["component": "Web Messaging", "status": "major_outage"])
                    == 0, "Frankfurt's outage is not the org's region")
            #expect(scrape.samples("genesys_status_page_component_status", ["group": "EMEA (Frankfurt)"]).isEmpty)
            #expect(scrape.value("genesys_status_page_indicator", ["indicator": "major"]) == 1)
        }
    }

    /// `components` picks other groups or single components, `*` every component (the groups are never series).
    @Test func test_componentsOption_selectsGroupsAndComponentsByName() async throws {
        let options = ["components": "emea (frankfurt), Genesys AppFoundry"]
        try await withExporter(settings: Self.settings(options)) { _, exporter in
            let scrape = try await exporter.scrape(until: "the status page polled", Self.polled)
            let samples = scrape.samples("genesys_status_page_component_status")
            #expect(samples.count == (SimulatedStatusPage.components.count + 1) * Self.statuses.count)
            #expect(Set(samples.compactMap { $0.labels["group"] }) == ["EMEA (Frankfurt)", ""])
            #expect(
                scrape.value(
                    "genesys_status_page_component_status",
                    ["component": SimulatedStatusPage.ungrouped, "group": "", "status": "operational"]) == 1)
        }
        try await withExporter(settings: Self.settings(["components": "*"])) { _, exporter in
            let scrape = try await exporter.scrape(until: "the status page polled", Self.polled)
            let expected = SimulatedStatusPage.groups.count * SimulatedStatusPage.components.count + 1
            #expect(scrape.samples("genesys_status_page_component_status").count == expected * Self.statuses.count)
            #expect(scrape.samples("genesys_status_page_component_status", ["component": Self.region]).isEmpty)
        }
    }

    /// Open incidents that name one of the region's components (or its group), or none at all, by impact; another
    /// region's, resolved ones and postmortems are not counted; an impact Statuspage may add later is `unknown`.
    @Test func test_openIncidents_areCountedByImpact_forTheRegion() async throws {
        try await withExporter(settings: Self.settings()) { sim, exporter in
            _ = try await exporter.scrape(until: "the status page polled", Self.polled)
            sim.addStatusPageIncident(
                SimulatedStatusIncident(
                    name: "Analytics delays", impact: "major", components: [(Self.region, "Analytics")]))
            sim.addStatusPageIncident(
                SimulatedStatusIncident(
                    name: "Frankfurt messaging", impact: "minor",
                    components: [("EMEA (Frankfurt)", "Web Messaging")]))
            sim.addStatusPageIncident(SimulatedStatusIncident(name: "Login errors", impact: "critical"))
            sim.addStatusPageIncident(
                SimulatedStatusIncident(
                    name: "Region-wide slowness", status: "identified", impact: "apocalyptic",
                    components: [(Self.region, "")]))
            sim.addStatusPageIncident(
                SimulatedStatusIncident(
                    name: "Old news", status: "resolved", impact: "major", components: [(Self.region, "Architect")]))
            let scrape = try await exporter.scrape(until: "the incidents counted") {
                $0.value("genesys_status_page_incidents", ["impact": "major"]) == 1
            }
            #expect(scrape.value("genesys_status_page_incidents", ["impact": "critical"]) == 1)
            #expect(scrape.value("genesys_status_page_incidents", ["impact": "unknown"]) == 1)
            #expect(scrape.value("genesys_status_page_incidents", ["impact": "minor"]) == 0)
            #expect(scrape.value("genesys_status_page_incidents", ["impact": "none"]) == 0)
            #expect(scrape.value("genesys_status_page_indicator", ["indicator": "critical"]) == 1)
            sim.resetStatusPage()
            let cleared = try await exporter.scrape(until: "the incidents gone") {
                $0.sum("genesys_status_page_incidents") == 0
            }
            #expect(cleared.samples("genesys_status_page_incidents").count == Self.impacts.count)
            #expect(cleared.value("genesys_status_page_indicator", ["indicator": "none"]) == 1)
        }
    }

    /// The page's HTML maintenance page is not JSON: a counted `malformed_response` failure, the collector down and
    /// the last values kept; JSON again brings it back.
    @Test func test_htmlMaintenancePage_isMalformedResponse_andTheLastValuesStay() async throws {
        try await withExporter(settings: Self.settings(collectors: ["status_page", "queues"])) { sim, exporter in
            sim.setStatusPageComponentStatus(group: Self.region, component: "Analytics", "degraded_performance")
            _ = try await exporter.scrape(until: "Analytics degraded") {
                $0.value(
                    "genesys_status_page_component_status",
                    ["component": "Analytics", "status": "degraded_performance"])
                    == 1
            }
            sim.setStatusPageMaintenance(true)
            let scrape = try await exporter.scrape(until: "a malformed status page") {
                $0.collectorUp("status_page") == 0 && $0.collectorUp("queues") == 1
                    && $0.sum("genesys_api_failures_total", ["endpoint": Self.summary, "reason": "malformed_response"])
                        >= 1
            }
            #expect(
                scrape.value(
                    "genesys_status_page_component_status",
                    ["component": "Analytics", "status": "degraded_performance"])
                    == 1, "the last values stay")
            #expect(scrape.samples("genesys_status_page_component_status").count == 8 * Self.statuses.count)
            sim.setStatusPageMaintenance(false)
            _ = try await exporter.scrape(until: "the status page back up", Self.polled)
        }
    }

    /// The status page is another host: its request never carries the org's token, while API requests do.
    @Test func test_statusPageRequest_carriesNoAuthorizationHeader() async throws {
        try await withExporter(settings: Self.settings(collectors: ["status_page", "queues"])) { sim, exporter in
            _ = try await exporter.scrape(until: "both polled") {
                Self.polled($0) && $0.collectorUp("queues") == 1
            }
            let log = sim.requestLog()
            let pageRequests = log.filter { $0.path == Self.summary }
            let pageRequestsWithToken = pageRequests.filter { $0.hadAuthorization }
            #expect(!pageRequests.isEmpty)
            #expect(pageRequestsWithToken.isEmpty)
            let queueRequests = log.filter { $0.path == "/api/v2/routing/queues" }
            let queueRequestsWithoutToken = queueRequests.filter { !$0.hadAuthorization }
            #expect(!queueRequests.isEmpty)
            #expect(queueRequestsWithoutToken.isEmpty, "the log sees the API's token")
        }
    }

    /// The status page is not the org's API: its failures never down `genesys_up`, its successes never raise it.
    @Test func test_statusPage_neverSpeaksForGenesysUp() async throws {
        try await withExporter(settings: Self.settings(collectors: ["status_page", "queues"])) { sim, exporter in
            sim.inject(.connectionReset, path: Self.summary)
            let blocked = try await exporter.scrape(until: "two unreachable status pages") {
                $0.collectorUp("queues") == 1 && $0.collectorUp("status_page") == 0
                    && $0.sum("genesys_api_failures_total", ["endpoint": Self.summary, "reason": "network"]) >= 2
            }
            #expect(blocked.value("genesys_up") == 1)
            sim.clearFaults()
            sim.inject(.connectionReset, path: "/api/v2/routing/queues")
            let before = sim.requestLog().filter { $0.path == Self.summary }.count
            let unreachable = try await exporter.scrape(until: "an unreachable API while the status page answers") {
                $0.collectorUp("queues") == 0 && Self.polled($0)
                    && sim.requestLog().filter { $0.path == Self.summary }.count >= before + 2
            }
            #expect(unreachable.value("genesys_up") == 0)
        }
    }

    /// The URL follows the API URL's rules, refused at start with the flag named; so are a bad interval or list.
    @Test(arguments: [
        ("url", "http://status.example.com", "plain http is allowed only for loopback hosts"),
        ("url", "https://user:secret@status.example.com", "user info"),
        ("url", "https://status.example.com/?page=1", "?query"),
        ("url", "https://status.example.com/#top", "#fragment"),
        ("url", "ftp://status.example.com", "scheme"),
        ("interval", "500ms", "1s or more"),
        ("components", " , ", "comma-separated list"),
    ])
    func test_badOption_isRefusedNamingTheFlag(option: String, value: String, reason: String) throws {
        let flags = ExporterFlags(demo: true, collectorArguments: ["--collector.status_page.\(option)=\(value)"])
        do {
            _ = try ConfigurationResolver.resolve(
                flags, environment: [:], fileExists: { _ in false }, readFile: { _ in "" })
            Issue.record("\(option)=\(value) was accepted")
        } catch {
            let text = "\(error)"
            #expect(text.hasPrefix("--collector.status_page.\(option): "), "\(text)")
            #expect(text.contains(reason), "\(text)")
            #expect(!text.contains("secret@"), "no credentials in the message: \(text)")
        }
    }

    /// The demo reads the simulator's page for its `Americas (US East)` group; an explicit option wins.
    @Test func test_demo_pointsTheStatusPageAtTheSimulator() throws {
        let demo = try ConfigurationResolver.resolve(
            ExporterFlags(demo: true), environment: [:], fileExists: { _ in false }, readFile: { _ in "" })
        #expect(demo.orgs.isEmpty)
        let org = try demo.demoOrg(apiBaseURL: "http://127.0.0.1:4242", clientID: "id", clientSecret: "secret")
        #expect(org.enabledCollectors.contains("status_page"))
        #expect(org.collectorOptions["status_page"] == ["url": "http://127.0.0.1:4242", "components": Self.region])
        let chosen = try ConfigurationResolver.resolve(
            ExporterFlags(demo: true, collectorArguments: ["--collector.status_page.components=*"]), environment: [:],
            fileExists: { _ in false }, readFile: { _ in "" }
        ).demoOrg(apiBaseURL: "http://127.0.0.1:4242", clientID: "id", clientSecret: "secret")
        #expect(chosen.collectorOptions["status_page"]?["components"] == "*")
    }
}
