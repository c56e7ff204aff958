import GenesysAPI
import GenesysAuth
import GenesysBase
import GenesysJSON
import GenesysTelemetry

/// Genesys' public status page (status.mypurecloud.com, an Atlassian Statuspage): the status of the components of
/// the org's region, the page's open incidents that concern them, and the page's overall indicator. Off by default:
/// it calls a host outside the org's region, without the org's token (`GenesysAPIClient.getPublic`).
struct StatusPageCollector: Collector {
    static let name = "status_page"
    static let help = "Genesys' status page, org's region (off: another host, no token)."
    static let enabledByDefault = false
    static let options = [
        CollectorOption(
            name: "url", valueName: "url", help: "Status page URL, https (default https://status.mypurecloud.com)."),
        CollectorOption(name: "interval", valueName: "duration", help: "Between polls, at least 1s (default 5m)."),
        CollectorOption(
            name: "components", valueName: "names",
            help: "Comma-separated group or component names, or * (default: region's)."),
    ]
    static let defaultURL = "https://status.mypurecloud.com"
    /// Components reported at most; the rest are left out with a log line (a region group has a few dozen).
    static let mostComponents = 100

    struct Settings: Equatable {
        var url = StatusPageCollector.defaultURL
        var interval: Duration = .seconds(300)
        /// Group or component names as given (nil: the group of the org's region).
        var components: [String]?
    }

    let endpoints: [Endpoint] = [.statusPageSummary]
    let pollInterval: Duration?
    /// Another host: its runs say nothing about the org's API (`genesys_up`) and spend none of its rate limit.
    let callsGenesysAPI = false
    private let settings: Settings
    private let componentStatus: GaugeSeriesSet
    private let incidents: GaugeSeriesSet
    private let indicator: GaugeSeriesSet

    static func endpoints(grant: OAuthGrant) -> [Endpoint] { [.statusPageSummary] }

    /// The summary from the configured page, without a token.
    static func check(
        _ endpoint: Endpoint, api: GenesysAPIClient, probe: inout CheckProbe
    ) async throws(APIError)
        -> APIResult?
    {
        let settings = (try? settings(probe.collectorOptions[name] ?? [:])) ?? Settings()
        return try await api.getPublic(endpoint, url: settings.url + endpoint.template)
    }

    static func validate(options: [String: String]) throws(ConfigurationError) {
        _ = try settings(options)
    }

    static func settings(_ options: [String: String]) throws(ConfigurationError) -> Settings {
        var settings = Settings()
        if let text = options["url"] {
            // The API base URL's rule: https (http only on loopback), no user info, no query or fragment.
            settings.url = try GenesysHosts.normalized(text, setting: "--collector.\(name).url")
        }
        settings.interval =
            try CollectorOptionValue.duration(options, "interval", of: name, least: .seconds(1)) ?? settings.interval
        if let text = options["components"] {
            let names = text.split(separator: ",").map { String($0).trimming(" \t") }.filter { !$0.isEmpty }
            guard !names.isEmpty, names.count <= mostComponents,
                names.allSatisfy({ $0.unicodeScalars.count <= StatusPageLimits.longestText })
            else {
                throw .invalid(
                    setting: "--collector.\(name).components",
                    reason:
                        "'\(SafeExcerpt.of(text, limit: 80))' is not a comma-separated list of at most \(mostComponents) names (or *)"
                )
            }
            settings.components = names
        }
        return settings
    }

    static func make(store: MetricStore, grant: OAuthGrant, options: [String: String]) -> Self {
        Self(store: store, settings: (try? settings(options)) ?? Settings())
    }

    init(store: MetricStore, settings: Settings) {
        self.settings = settings
        pollInterval = settings.interval
        componentStatus = GaugeSeriesSet(
            store: store, name: "genesys_status_page_component_status",
            help:
                "1 for the status page component's status (operational, degraded_performance, partial_outage, major_outage, under_maintenance, unknown), 0 for the others; the org region's components."
        )
        incidents = GaugeSeriesSet(
            store: store, name: "genesys_status_page_incidents",
            help:
                "Open incidents on the status page by impact (none, minor, major, critical, unknown) that name a reported component or none; every impact, 0 included."
        )
        indicator = GaugeSeriesSet(
            store: store, name: "genesys_status_page_indicator",
            help:
                "1 for the status page's overall indicator (none, minor, major, critical, maintenance, unknown), 0 for the others; every region."
        )
    }

    typealias Series = [(labels: [(String, String)], value: Double)]

    func collect(_ context: CollectorContext) async throws(APIError) -> Publication {
        let endpoint = Endpoint.statusPageSummary
        let result = try await context.api.getPublic(endpoint, url: settings.url + endpoint.template)
        let summary = try context.api.decode(endpoint, result) { json throws(JSONDecodingError) in
            try StatusPageSummary(json)
        }
        let wanted = settings.components ?? Self.regionGroup(apiBaseURL: context.api.apiBaseURL).map { [$0] }
        let selection: StatusPageSelection
        if let wanted {
            selection = Self.select(summary, names: wanted)
            if selection.components.isEmpty {
                context.logger.warning(
                    "no status page component matches",
                    metadata: [
                        "wanted": "\(SafeExcerpt.of(wanted.joined(separator: ","), limit: 200))",
                        "groups": "\(SafeExcerpt.of(summary.groupNames.joined(separator: ","), limit: 400))",
                        "flag": "--collector.\(Self.name).components",
                    ])
            }
        } else {
            selection = StatusPageSelection(components: [], componentIDs: [], dropped: 0)
            context.logger.warning(
                "the org's region is not known from its API URL: no status page component is reported",
                metadata: ["api_url": "\(context.api.apiBaseURL)", "flag": "--collector.\(Self.name).components"])
        }
        if selection.dropped > 0 {
            context.logger.notice(
                "status page components capped",
                metadata: [
                    "selected": "\(Self.mostComponents)", "dropped": "\(selection.dropped)",
                    "flag": "--collector.\(Self.name).components",
                ])
        }
        let componentSeries = Self.componentSeries(selection.components)
        let incidentSeries = Self.incidentSeries(summary.incidents, concerning: selection.componentIDs)
        let indicatorSeries = Self.stateSet([], "indicator", summary.indicator, StatusPageValues.indicators)
        return { [self] in
            componentStatus.publish(componentSeries)
            incidents.publish(incidentSeries)
            indicator.publish(indicatorSeries)
        }
    }

    /// The status page group of a region's components, from the org's API host (`https://api.mypurecloud.de` →
    /// `EMEA (Frankfurt)`); nil for a host that names no known region (a proxy, the simulator) or a region whose
    /// group is not known here.
    static func regionGroup(apiBaseURL: String) -> String? {
        GenesysRegion.named(apiBaseURL).flatMap { regionGroups[$0.awsRegion] }
    }

    /// Genesys' names for its regions, as the status page names its component groups. The match ignores case and
    /// accents (`Americas (Sao Paulo)` matches too).
    static let regionGroups: [String: String] = [
        "us-east-1": "Americas (US East)",
        "us-east-2": "Americas (US East 2)",
        "us-west-2": "Americas (US West)",
        "ca-central-1": "Americas (Canada)",
        "sa-east-1": "Americas (São Paulo)",
        "mx-central-1": "Americas (Mexico)",
        "eu-west-1": "EMEA (Dublin)",
        "eu-west-2": "EMEA (London)",
        "eu-central-1": "EMEA (Frankfurt)",
        "eu-central-2": "EMEA (Zurich)",
        "me-central-1": "EMEA (UAE)",
        "ap-south-1": "Asia Pacific (Mumbai)",
        "ap-southeast-1": "Asia Pacific (Singapore)",
        "ap-southeast-2": "Asia Pacific (Sydney)",
        "ap-northeast-1": "Asia Pacific (Tokyo)",
        "ap-northeast-2": "Asia Pacific (Seoul)",
        "ap-northeast-3": "Asia Pacific (Osaka)",
    ]

    /// The components `names` select: a group's name selects its members, a component's name that component, `*`
    /// every component; groups themselves are not reported (their members are). The first `mostComponents` by
    /// group and name; ids of selected groups count as selected for incidents.
    static func select(_ summary: StatusPageSummary, names: [String]) -> StatusPageSelection {
        let keys = Set(names.map(foldedName))
        let everything = keys.contains("*")
        var groupNames: [String: String] = [:]
        for component in summary.components where component.isGroup { groupNames[component.id] = component.name }
        var chosen: [(group: String, component: StatusPageSummary.Component)] = []
        var ids: Set<String> = []
        var seen: Set<[String]> = []
        for component in summary.components {
            let groupName = component.groupID.flatMap { groupNames[$0] }
            if component.isGroup {
                if everything || keys.contains(foldedName(component.name)) { ids.insert(component.id) }
                continue
            }
            guard
                everything || keys.contains(foldedName(component.name))
                    || groupName.map({ keys.contains(foldedName($0)) }) ?? false
            else { continue }
            ids.insert(component.id)
            // One series per group and name: a second component of the same name would collide.
            guard seen.insert([groupName ?? "", component.name]).inserted else { continue }
            chosen.append((groupName ?? "", component))
        }
        chosen.sort { ($0.group, $0.component.name, $0.component.id) < ($1.group, $1.component.name, $1.component.id) }
        return StatusPageSelection(
            components: chosen.prefix(mostComponents).map { ($0.group, $0.component) }, componentIDs: ids,
            dropped: max(0, chosen.count - mostComponents))
    }

    /// Lower case without the accents of Latin letters and with single spaces, for comparing names.
    static func foldedName(_ name: String) -> String {
        var folded = ""
        for scalar in name.lowercased().unicodeScalars {
            switch scalar {
            case "à", "á", "â", "ã", "ä", "å": folded += "a"
            case "ç": folded += "c"
            case "è", "é", "ê", "ë": folded += "e"
            case "ì", "í", "î", "ï": folded += "i"
            case "ñ": folded += "n"
            case "ò", "ó", "ô", "õ", "ö": folded += "o"
            case "ù", "ú", "û", "ü": folded += "u"
            case " ", "\t": if !folded.isEmpty && !folded.hasSuffix(" ") { folded += " " }
            default: folded.unicodeScalars.append(scalar)
            }
        }
        while folded.hasSuffix(" ") { folded.removeLast() }
        return folded
    }

    /// One series per value of `known` plus `unknown`: 1 for `value`'s label, 0 for the others.
    static func stateSet(_ labels: [(String, String)], _ key: String, _ value: String?, _ known: [String]) -> Series {
        let current = StatusPageValues.label(value, known)
        return (known + [StatusPageValues.unknown]).map { (labels + [(key, $0)], $0 == current ? 1 : 0) }
    }

    static func componentSeries(_ components: [(group: String, component: StatusPageSummary.Component)]) -> Series {
        components.flatMap { group, component in
            stateSet(
                [("component", component.name), ("group", group)], "status", component.status,
                StatusPageValues.componentStatuses)
        }
    }

    /// Open incidents by impact, every impact present: those naming a selected component (or its group), and those
    /// naming no component at all (their scope is unknown, so they may concern the region). Resolved ones and
    /// postmortems are not open.
    static func incidentSeries(_ list: [StatusPageSummary.Incident], concerning ids: Set<String>) -> Series {
        var counts: [String: Int] = [:]
        for incident in list where !["resolved", "postmortem"].contains(incident.status ?? "") {
            guard incident.componentIDs.isEmpty || incident.componentIDs.contains(where: { ids.contains($0) }) else {
                continue
            }
            counts[StatusPageValues.label(incident.impact, StatusPageValues.impacts), default: 0] += 1
        }
        return (StatusPageValues.impacts + [StatusPageValues.unknown]).map {
            ([("impact", $0)], Double(counts[$0] ?? 0))
        }
    }
}

/// The components a poll reports, with their group's name, and every selected id (groups included).
struct StatusPageSelection {
    let components: [(group: String, component: StatusPageSummary.Component)]
    let componentIDs: Set<String>
    /// Selected components left out by the cap.
    let dropped: Int
}

extension Endpoint {
    /// The public status page's summary: another host, called without a token (`getPublic`), so no permission.
    package static let statusPageSummary = Endpoint(
        method: "GET", template: "/api/v2/summary.json", permission: nil,
        answer: AnswerDecoder(fuzzName: "status-page") { json throws(JSONDecodingError) in
            try StatusPageSummary(json)
        })
}
