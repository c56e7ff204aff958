import Foundation
import GenesysBaseTestSupport
import GenesysExporter
import GenesysSimulator
import GenesysTestSupport
import SimulatorTestSupport

/// The metric reference, measured rather than written: the demo's org (a deterministic simulator under a manual
/// clock) is polled once with every collector, and once with each collector alone. A family belongs to the collector
/// whose lone run adds it; the families every run has are the exporter's own (token, API, process, web). Cardinality
/// is read off the page: series per queue where a family has a `queue_id` label (per edge, trunk, phone or site for
/// the telephony ids, per flow or action for `flow_id` and `action_id`, per agent for `user_id`, per division for
/// `division_id`), series per org otherwise.
struct MetricCatalogue {
    struct Family {
        let name: String
        let type: String
        let help: String
        let labels: [String]
        let series: Int
        /// The most series one entity has and how many entities the page shows, for families with an id label
        /// (`queue_id`, `edge_id`, …), with the entity's name.
        let perEntity: (noun: String, most: Int, entities: Int)?
        var collector: String?
    }

    /// Queues in the measured org: enough for every media type the simulator assigns.
    static let queueCount = 12
    /// The label naming one entity, and the entity, in order of precedence.
    static let entityLabels = [
        ("queue_id", "queue"), ("edge_id", "edge"), ("trunk_id", "trunk"), ("phone_id", "phone"), ("site_id", "site"),
        ("flow_id", "flow"), ("action_id", "action"), ("user_id", "agent"), ("division_id", "division"),
        ("client_id", "client"), ("component", "component"),
    ]
    /// Families with an entity label that name one entity per org: the exporter's own OAuth client.
    static let onePerOrg: Set<String> = [
        "genesys_identity_info", "genesys_api_usage_own_client_requests_total",
        "genesys_api_usage_own_client_responses_total",
    ]
    /// Families whose values come from real time (libcurl's timings, the process) or from the build: the golden
    /// page keeps their lines and zeroes their values.
    /// So are the counts of this exporter's own API requests and the rate-limit window's count, which depend on the
    /// order the collectors ran in.
    static let measuredFamilies: [String] = [
        "process_", "genesys_api_request_", "genesys_token_request_duration", "genesys_api_usage_own_client_",
        "genesys_api_rate_limit_remaining",
        // The stream's state and counts depend on when the page is read relative to the channel's start, and its
        // subscription calls on whether both streaming collectors' first polls ended before the channel opened.
        "genesys_notification_", "genesys_api_requests_total{endpoint=\"/api/v2/notifications/",
        "genesys_api_usage_requests_total{client_id=\"sim-client-id\"",
        "genesys_api_usage_responses_total{client_id=\"sim-client-id\"",
    ]

    /// Families whose series one poll cannot show (they fill as windows are counted): their cardinality as stated.
    static let statedCardinality = [
        "genesys_notification_last_message_timestamp_seconds":
            "1 per open channel: at most the largest `max-channels` of the streaming collectors (8) per org",
        "genesys_queue_wrapup_handled_total":
            "at most n + 2 per queue (n = `--collector.queue_performance.wrapup-codes`; the others as `other`, "
            + "conversations without a code as `none`)",
    ]

    /// Opt-in series turned on, so that the reference lists their families too.
    static let optIn = [
        "telephony": ["phones-max": "3", "edge-metrics": "true"],
        "queue_performance": ["conversation-metrics": "all", "wrapup-codes": "3"],
        // Stream mode's families (the demo streams).
        "observations": ["mode": "stream"],
        "agents": ["mode": "stream"],
    ]

    static var optInFlags: String {
        optIn.sorted { $0.key < $1.key }.flatMap { collector, options in
            options.sorted { $0.key < $1.key }.map { "--collector.\(collector).\($0.key)=\($0.value)" }
        }.joined(separator: " ")
    }

    var families: [Family]
    /// The whole page of the all-collectors run, with measured values zeroed.
    let goldenPage: String

    static func measure() async throws -> MetricCatalogue {
        let everything = Set(CollectorRegistry.names)
        let (page, text) = try await poll(collectors: everything)
        var families = page
        var core: Set<String>?
        var lone: [String: Set<String>] = [:]
        for name in CollectorRegistry.names {
            let names = Set(try await poll(collectors: [name]).families.map(\.name))
            lone[name] = names
            // The status page is another host: its lone run calls no Genesys API, so it has no rate-limit headroom
            // and does not say what every run with the API has.
            guard name != "status_page" else { continue }
            core = core.map { $0.intersection(names) } ?? names
        }
        for index in families.indices where !(core ?? []).contains(families[index].name) {
            families[index].collector = CollectorRegistry.names.first {
                lone[$0]?.contains(families[index].name) ?? false
            }
        }
        return MetricCatalogue(families: families, goldenPage: golden(text))
    }

    /// One poll of a fresh simulator and exporter with `collectors` on; the page once every collector has succeeded.
    private static func poll(collectors: Set<String>) async throws -> (families: [Family], text: String) {
        let clock = ManualClock()
        var configuration = SimulatorConfiguration(queueCount: queueCount, movingObservations: false)
        configuration.wallNow = { clock.unixNow }
        configuration = configuration.judgingTime(by: clock)
        return try await withExporter(
            configuration, clock: clock,
            settings: {
                var settings = try $0.orgSettings(collectors: collectors)
                settings.collectorOptions.merge(Self.optIn) { $1 }
                return settings
            }
        ) {
            _, exporter in
            do {
                try await awaitCondition("the first poll of \(collectors.sorted())") {
                    try await exporter.get("/-/ready").status == 200
                }
            } catch let timedOut as ConditionTimedOut {
                // The clock is manual, so a collector whose first poll failed waits for good: say which and why.
                let scrape = try await exporter.scrape()
                let down = collectors.filter { scrape.collectorUp($0) != 1 }.sorted()
                throw ConditionTimedOut(
                    description: "\(timedOut.description); not up: \(down), failures: \(scrape.failureSummary)")
            }
            if collectors.contains("observations") || collectors.contains("agents") {
                // Stream mode: its channel families fill once the stream runs, which is not what readiness waits for.
                _ = try await exporter.scrape(until: "the observation stream streaming") {
                    $0.value("genesys_notification_stream_state", ["state": "streaming"]) == 1
                        && !$0.samples("genesys_notification_last_message_timestamp_seconds").isEmpty
                }
            }
            let text = try await exporter.get("/metrics").bodyText
            return (try parse(text), text)
        }
    }

    /// HELP, TYPE, label names and series per family, in page order.
    static func parse(_ text: String) throws -> [Family] {
        let exposition = try Exposition.parse(text)
        var order: [String] = []
        for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            order.append(String(line.split(separator: " ")[2]))
        }
        return order.map { name in
            let type = exposition.types[name] ?? "untyped"
            let samples = exposition.samples.filter { sample in
                sample.name == name
                    || (["histogram", "summary"].contains(type)
                        && ["_bucket", "_sum", "_count"].contains { sample.name == name + $0 })
            }
            // A histogram's series is its label set without `le`.
            var series: Set<[String: String]> = []
            let labelNames = Set(samples.flatMap { $0.labels.keys }).subtracting(["le"]).sorted()
            let entity = onePerOrg.contains(name) ? nil : entityLabels.first { labelNames.contains($0.0) }
            var byEntity: [String: Set<[String: String]>] = [:]
            for sample in samples {
                var labels = sample.labels
                labels["le"] = nil
                series.insert(labels)
                if let entity, let id = labels[entity.0] { byEntity[id, default: []].insert(labels) }
            }
            let perEntity = entity.flatMap { entity in
                byEntity.values.map(\.count).max().map { (entity.1, $0, byEntity.count) }
            }
            return Family(
                name: name, type: type, help: exposition.helps[name] ?? "", labels: labelNames, series: series.count,
                perEntity: perEntity, collector: nil)
        }
    }

    /// The page with families sorted by name and samples sorted within each (the registry's order is a hash
    /// order), the values of measured families zeroed and the build's facts fixed.
    static func golden(_ text: String) -> String {
        var families: [(name: String, header: [String], samples: [String])] = []
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("# HELP ") {
                families.append((String(line.split(separator: " ")[2]), [line], []))
                continue
            }
            guard !families.isEmpty else { continue }
            if line.hasPrefix("#") {
                families[families.count - 1].header.append(line)
                continue
            }
            var line = line
            if line.hasPrefix("genesys_exporter_build_info") {
                line = line.replacing(/revision="[^"]*"/, with: "revision=\"REVISION\"")
                line = line.replacing(/swift_version="[^"]*"/, with: "swift_version=\"SWIFT\"")
                line = line.replacing(/,version="[^"]*"/, with: ",version=\"VERSION\"")
            }
            if measuredFamilies.contains(where: { line.hasPrefix($0) }), let space = line.lastIndex(of: " ") {
                line = String(line[..<space]) + " 0"
            }
            families[families.count - 1].samples.append(line)
        }
        var lines = [
            "# The demo's page after one poll with every collector, under a manual clock (\(queueCount) queues), with",
            "# the opt-in series on: \(optInFlags).",
            "# Generated by ReferenceDocsTests (scripts/update-references): families and samples sorted; the values",
            "# of timing and process families are 0.",
        ]
        for family in families.sorted(by: { $0.name < $1.name }) {
            lines += family.header + family.samples.sorted()
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// docs/metrics.md: every family with its type, labels, help, collector, permission and cardinality.
    func markdown() -> String {
        var text = """
            # Metric reference

            Generated from the code by `scripts/update-references` (a test fails when this file is stale): the demo's
            org is polled once with every collector and once with each collector alone, under a manual clock. For what
            the metrics mean and how to use them, see [the metrics guide](metrics-guide.md).

            **Series** is the cardinality: *per queue* for families with a `queue_id` label (the most one queue has;
            multiply by the selected queues, at most `--collector.queues.max`), likewise *per edge*, *per trunk* (at
            most `--collector.telephony.trunks-max`), *per phone* (at most `--collector.telephony.phones-max`) and
            *per site* for the telephony ids, *per flow* (at most `--collector.flows.max`) and *per action* (at most
            `--collector.data_actions.max`; the error counter at most 21 per action: 20 error types and `other`),
            *per division* for the agents collector's families (the divisions of the org's active users, and
            `unknown` for users without one), *per agent* (at most `--collector.agents.per-agent-max`, 0 by default),
            *per client* for OAuth clients (at most
            `--collector.api_usage.clients-max` + 1), *per component* for the status page's (at most 100, those of
            the org's region or `--collector.status_page.components`), *per org* otherwise. With `--config.file`
            every `genesys_` family except the exporter-wide ones (`genesys_exporter_build_info`,
            `genesys_exporter_config_*`, `genesys_exporter_orgs`, `genesys_web_*`) gets an `org` label: multiply by the
            orgs. **Permission** is what the collector's endpoints need; a collector without it reports
            `genesys_collector_up{collector}=0` with reason `forbidden` and the others keep working.

            ## Collectors

            | collector | default | endpoints | permission |
            |---|---|---|---|

            """
        for collector in CollectorRegistry.all {
            var endpoints: [Endpoint] = []
            for grant in OAuthGrant.allCases {
                for endpoint in collector.endpoints(grant: grant) where !endpoints.contains(endpoint) {
                    endpoints.append(endpoint)
                }
            }
            let calls = endpoints.map { "`\($0.method) \($0.template)`" }.joined(separator: "<br>")
            text += "| `\(collector.name)` | \(collector.enabledByDefault ? "on" : "off") | \(calls) | "
            text += Self.permissions(of: collector.name) + " |\n"
        }
        let groups = [("The exporter itself (every run)", nil as String?)] + CollectorRegistry.names.map { ($0, $0) }
        for (title, collector) in groups {
            let members = families.filter { $0.collector == collector }.sorted { $0.name < $1.name }
            guard !members.isEmpty else { continue }
            text += "\n## \(collector.map { "Collector `\($0)`" } ?? title)\n\n"
            text += "| family | type | labels | series | help |\n|---|---|---|---|---|\n"
            for family in members {
                let labels = family.labels.map { "`\($0)`" }.joined(separator: ", ")
                let series =
                    Self.statedCardinality[family.name]
                    ?? family.perEntity.map { entity in
                        let shown = entity.noun == "queue" ? Self.queueCount : entity.entities
                        return
                            "at most \(entity.most) per \(entity.noun) (\(family.series) for \(shown) \(entity.noun)s)"
                    } ?? "\(family.series) per org"
                let help = family.help.replacing("|", with: "\\|")
                text += "| `\(family.name)` | \(family.type) | \(labels) | \(series) | \(help) |\n"
            }
        }
        return text
    }

    /// The permissions a collector's endpoints need, or that none is needed beyond a valid token.
    static func permissions(of name: String) -> String {
        guard let collector = CollectorRegistry.named(name) else { return "" }
        var permissions: [String] = []
        for grant in OAuthGrant.allCases {
            for endpoint in collector.endpoints(grant: grant) {
                if let permission = endpoint.permission, !permissions.contains(permission) {
                    permissions.append(permission)
                }
            }
        }
        // The status page is another host's public page, called without the org's token.
        if permissions.isEmpty && name == "status_page" { return "none: a public page, called without the token" }
        return permissions.isEmpty ? "none beyond a valid token" : permissions.map { "`\($0)`" }.joined(separator: ", ")
    }
}
