import GenesysAuth
import GenesysAuthTestSupport
import GenesysBase
import GenesysBaseTestSupport
import GenesysCollectors
import GenesysExporter
import GenesysHTTP
import GenesysSimulator

extension GenesysSimulator {
    /// Org settings pointing at this simulator, with a short poll interval for tests. The status page is the
    /// simulator's too (its `Americas (US East)` group: a loopback API URL names no region).
    package func orgSettings(
        pollInterval: Duration = .milliseconds(200), collectors: Set<String> = CollectorRegistry.enabledByDefault,
        nameFilter: String? = nil, maxQueues: Int = 500, token: TokenProviderConfiguration? = nil,
        requestTimeout: Duration = .seconds(5)
    ) throws -> OrgSettings {
        // api_usage polls every 5 minutes by default, the queue, flow and action listings and today's service level are
        // asked every 5 minutes: tests that await every collector's next request (faults, recoveries) need them at the
        // poll's pace.
        OrgSettings(
            token: try token ?? tokenConfiguration(), pollInterval: pollInterval, enabledCollectors: collectors,
            collectorOptions: [
                "status_page": statusPageOptions, "api_usage": ["interval": "1s"],
                "queues": ["listing-interval": "0s"], "queue_performance": ["service-level-interval": "0s"],
                "flows": ["listing-interval": "0s"], "data_actions": ["listing-interval": "0s"],
                // Stream is the default (StreamingTests and AgentStreamingTests stream); said here so the suites
                // written for polling keep polling.
                "agents": ["listing-interval": "0s", "mode": "poll"],
                "observations": ["mode": "poll"],
            ],
            queueSelection: try QueueSelection(nameFilter: nameFilter, maxSeries: maxQueues),
            requestTimeout: requestTimeout,
            // A poll that fails on a starved machine (a timeout beside a fuzzer) is retried within 5 s rather than
            // after the production cap's minutes, so a real-time test's wait outlasts a few such failures.
            failureBackoffCap: .seconds(5))
    }

    /// The status page collector's options for this simulator's page and its `Americas (US East)` group.
    package var statusPageOptions: [String: String] {
        ["url": baseURL, "components": "Americas (US East)"]
    }
}

/// An exporter running in-process against a simulator: its server is bound, its pollers run.
package final class RunningExporter: Sendable {
    package let exporter: Exporter
    package let port: Int
    private let http = HTTPClient()

    package init(
        _ settings: OrgSettings, telemetryPath: String = "/metrics", clock: any ExporterClock = SystemClock(),
        openMetricsCreatedSamples: Bool = false
    ) async throws {
        exporter = Exporter(
            orgs: [.single(settings)], telemetryPath: telemetryPath,
            listenAddresses: [ListenAddress(host: "127.0.0.1", port: 0)],
            openMetricsCreatedSamples: openMetricsCreatedSamples, logger: quietLogger, clock: clock)
        port = try await exporter.server.start()
        exporter.startOrgs()
    }

    package var baseURL: String { "http://127.0.0.1:\(port)" }

    /// GET a path of the exporter over real HTTP.
    package func get(
        _ path: String, headers: [(String, String)] = [], method: String = "GET"
    ) async throws -> HTTPResponse {
        try await http.send(HTTPRequest(method: method, url: baseURL + path, headers: headers))
    }

    /// Scrapes /metrics and parses the exposition.
    package func scrape(path: String = "/metrics") async throws -> Exposition {
        let response = try await get(path)
        return try Exposition.parse(response.bodyText)
    }

    package func stop() async {
        await exporter.fleet.stop()
        await exporter.server.stop()
        await http.close()
    }
}
