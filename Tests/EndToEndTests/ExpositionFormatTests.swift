import Foundation
import GenesysAPI
import GenesysBaseTestSupport
import GenesysCollectors
import GenesysSimulator
import GenesysTestSupport
import Testing

@Suite("Exposition format and label hygiene")
struct ExpositionFormatTests {
    /// A scrape after every collector ran and at least one API failure was recorded, so every family is present.
    static func fullScrape(
        _ sim: GenesysSimulator, _ exporter: RunningExporter
    ) async throws -> (text: String, exposition: Exposition) {
        var last: Exposition?
        do {
            _ = try await exporter.scrape(until: "every collector polled") { scrape in
                last = scrape
                let up = scrape.samples("genesys_collector_up")
                return !up.isEmpty && up.allSatisfy { $0.value == 1 }
            }
        } catch {
            let up = last?.samples("genesys_collector_up").map { "\($0.labels["collector"] ?? "")=\($0.value)" } ?? []
            Issue.record("collectors: \(up.joined(separator: " ")); failures: \(last?.failureSummary ?? "")")
            throw error
        }
        let text = try await exporter.get("/metrics").bodyText
        return (text, try Exposition.parse(text))
    }

    /// The family a sample belongs to: histogram series carry a suffix.
    static func family(of sample: String, types: [String: String]) -> String? {
        if types[sample] != nil { return sample }
        for suffix in ["_bucket", "_sum", "_count"] where sample.hasSuffix(suffix) {
            let base = String(sample.dropLast(suffix.count))
            if types[base] == "histogram" { return base }
        }
        return nil
    }

    @Test func test_everyFamily_hasHelpAndType_countersEndInTotal_andNoSeriesRepeats() async throws {
        try await withExporter { sim, exporter in
            let (_, scrape) = try await Self.fullScrape(sim, exporter)
            for sample in scrape.samples {
                #expect(Self.family(of: sample.name, types: scrape.types) != nil, "\(sample.name) has a TYPE line")
            }
            for (family, type) in scrape.types {
                #expect(!(scrape.helps[family] ?? "").isEmpty, "\(family) has HELP text")
                #expect(["counter", "gauge", "histogram"].contains(type), "\(family) is a \(type)")
                if type == "counter" { #expect(family.hasSuffix("_total"), "counter \(family) ends in _total") }
                #expect(
                    !scrape.samples.filter { Self.family(of: $0.name, types: scrape.types) == family }.isEmpty,
                    "\(family) has samples")
            }
            var seen: Set<String> = []
            for sample in scrape.samples {
                let key =
                    sample.name + "{"
                    + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                    + "}"
                #expect(seen.insert(key).inserted, "series \(key) appears once")
            }
            for family in [
                "genesys_up", "genesys_identity_info", "genesys_routing_queues", "genesys_queue_members",
                "genesys_queue_joined_members",
                "genesys_queue_conversations_waiting", "genesys_queue_conversations_interacting",
                "genesys_queue_agents_on_queue",
                "genesys_api_requests_total", "genesys_api_request_duration_seconds",
                "genesys_api_request_phase_seconds",
                "genesys_api_failures_total", "genesys_api_retries_total", "genesys_api_rate_limit_remaining",
                "genesys_api_rate_limit_allowed", "genesys_collector_up", "genesys_collector_duration_seconds",
                "genesys_collector_last_success_timestamp_seconds", "genesys_exporter_build_info",
                "genesys_token_age_seconds",
                "genesys_token_refreshes_total", "process_cpu_seconds_total", "process_resident_memory_bytes",
                "process_open_fds",
            ] {
                #expect(scrape.types[family] != nil, "\(family) is exported")
            }
            #expect(scrape.types["genesys_api_request_duration_seconds"] == "histogram")
        }
    }

    @Test func test_labelValues_areBounded_endpointsAreTemplatesWithoutQueries() async throws {
        try await withExporter { sim, exporter in
            let (_, scrape) = try await Self.fullScrape(sim, exporter)
            let withEndpoint = scrape.samples.filter { $0.labels["endpoint"] != nil }
            #expect(!withEndpoint.isEmpty)
            let endpoints = Set(withEndpoint.compactMap { $0.labels["endpoint"] })
            for endpoint in endpoints {
                #expect(
                    endpoint.hasPrefix("/api/v2/") && !endpoint.contains("?") && !endpoint.contains("://"),
                    "endpoint label \(endpoint)")
            }
            #expect(endpoints.isSubset(of: Set(CollectorRegistry.endpoints.map(\.template))))
            for sample in scrape.samples("genesys_api_requests_total") {
                #expect(
                    sample.labels["code"].flatMap(Int.init).map { (100..<600).contains($0) } == true,
                    "code label \(sample.labels)")
                #expect(["GET", "POST"].contains(sample.labels["method"] ?? ""))
            }
            let reasons = Set(scrape.samples("genesys_api_failures_total").compactMap { $0.labels["reason"] })
            #expect(reasons == Set(APIFailureReason.allCases.map(\.rawValue)))
            let phases = Set(scrape.samples("genesys_api_request_phase_seconds").compactMap { $0.labels["phase"] })
            #expect(phases == ["dns", "connect", "tls", "first_byte", "total"])
            // No raw URL, token or secret anywhere in a label value.
            for sample in scrape.samples {
                for (name, value) in sample.labels {
                    #expect(
                        !value.contains("http://") && !value.contains(sim.configuration.clientSecret),
                        "\(sample.name) \(name)=\(value)")
                }
            }
        }
    }

    static let promtool: String? =
        ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
        ?? (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/promtool" }
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(
        .enabled(
            if: promtool != nil,
            "promtool is not on PATH (Debian's prometheus package; scripts/install-deps installs it)"))
    func test_promtoolCheckMetrics_acceptsARealScrape_withEveryCollector() async throws {
        // Ten queues with per-queue series: estimated_wait asks once per queue, and the suite runs beside it.
        try await withExporter(settings: { try $0.orgSettings(collectors: Set(CollectorRegistry.names), maxQueues: 10) }
        ) {
            sim, exporter in
            let (text, exposition) = try await Self.fullScrape(sim, exporter)
            for family in [
                "genesys_queue_offered_total", "genesys_queue_service_level_ratio", "genesys_queue_agents",
                "genesys_queue_agents_presence", "genesys_queue_conversations_alerting",
                "genesys_queue_oldest_waiting_timestamp_seconds", "genesys_queue_estimated_wait_seconds",
            ] {
                #expect(!exposition.samples(family).isEmpty, "\(family) is in the scrape promtool checks")
            }
            let result = try await ChildProcess.run(
                try #require(Self.promtool), ["check", "metrics"], stdin: Array(text.utf8))
            #expect(result.status == 0, "promtool check metrics: \(result.stdout)\(result.stderr)")
        }
    }
}
