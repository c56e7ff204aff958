import GenesysAPI
import GenesysAuth
import GenesysBase
import GenesysJSON
import GenesysTelemetry
import Prometheus

/// Telephony: edges by online status and status code, trunks connected and in service with their calls in
/// progress, and phones counted by site and operational status. An org without edges, trunks or phones pays one
/// listing request each. Per-phone series are opt-in and capped; per-trunk series are capped.
struct TelephonyCollector: Collector {
    static let name = "telephony"
    static let help = "Edges, trunks and phones: statuses, trunk calls, phones by site."
    static let options = [
        CollectorOption(
            name: "phones-max", valueName: "n",
            help: "Per-phone status series for at most this many phones (default 0: none)."),
        CollectorOption(
            name: "trunks-max", valueName: "n", help: "At most this many trunks get per-trunk series (default 500)."),
        CollectorOption(
            name: "interval", valueName: "duration", help: "Between polls, at least 1s (default: --poll.interval)."),
        CollectorOption(
            name: "edge-metrics", valueName: "bool",
            help: "true: also poll edge CPU, memory and disk (default false)."),
        CollectorOption(
            name: "phones-interval", valueName: "duration",
            help: "List phones at most this often, at least 1s (default 5m)."),
    ]
    /// The phone listing is the costly part (a request per 100 phones, and the longest answers): phones are listed
    /// at most this often, while edges and trunks follow the collector's interval.
    static let defaultPhonesInterval: Duration = .seconds(300)
    /// The phone fields the collector reads: `fields` keeps Genesys from sending lines, settings and capabilities.
    static let phoneFields = "id,name,site,status"
    /// Ids per metrics request (the SDK's limit for `edgeIds`).
    static let idsPerRequest = 100

    struct Settings: Equatable {
        /// Its own interval; nil polls at `--poll.interval`, as the other collectors do (the fault tests await every
        /// default collector's recovery at that pace).
        var interval: Duration?
        var phonesMax = 0
        var trunksMax = 500
        var edgeMetrics = false
        var phonesInterval = TelephonyCollector.defaultPhonesInterval
    }

    let endpoints: [Endpoint]
    let pollInterval: Duration?
    private let settings: Settings
    private let edges: GaugeSeriesSet
    private let edgeOnline: GaugeSeriesSet
    private let edgeStatus: GaugeSeriesSet
    private let trunks: GaugeSeriesSet
    private let trunksConnected: GaugeSeriesSet
    private let trunkConnected: GaugeSeriesSet
    private let trunkInService: GaugeSeriesSet
    private let trunkCalls: GaugeSeriesSet
    private let phones: GaugeSeriesSet
    private let phoneStatus: GaugeSeriesSet
    private let edgeCPU: GaugeSeriesSet
    private let edgeMemoryTotal: GaugeSeriesSet
    private let edgeMemoryAvailable: GaugeSeriesSet
    private let edgeDiskTotal: GaugeSeriesSet
    private let edgeDiskAvailable: GaugeSeriesSet
    private let phoneCache = RecentResult<PhoneSeries>()

    static func endpoints(grant: OAuthGrant) -> [Endpoint] {
        [.telephonyEdges, .telephonyTrunks, .telephonyTrunkMetrics, .telephonyPhones, .telephonyEdgeMetrics]
    }

    /// The listings ask for one entity; the metrics ask about the first edge or trunk listed (nothing to ask
    /// without one).
    static func check(
        _ endpoint: Endpoint, api: GenesysAPIClient, probe: inout CheckProbe
    ) async throws(APIError)
        -> APIResult?
    {
        let first: [(String, String)] = [("pageSize", "1"), ("pageNumber", "1")]
        switch endpoint {
        case .telephonyEdgeMetrics:
            let listing = try await api.get(.telephonyEdges, query: first)
            guard let id = try? listing.json.elements("entities").first?.string("id") else { return nil }
            return try await api.get(endpoint, query: [("edgeIds", id)])
        case .telephonyTrunkMetrics:
            let listing = try await api.get(.telephonyTrunks, query: first)
            guard let id = try? listing.json.elements("entities").first?.string("id") else { return nil }
            return try await api.get(endpoint, query: [("trunkIds", id)])
        case .telephonyPhones:
            return try await api.get(endpoint, query: first + [("expand", "status"), ("fields", phoneFields)])
        default:
            return try await api.get(endpoint, query: first)
        }
    }

    static func validate(options: [String: String]) throws(ConfigurationError) {
        _ = try settings(options)
    }

    static func settings(_ options: [String: String]) throws(ConfigurationError) -> Settings {
        var settings = Settings()
        for (option, keyPath) in [("phones-max", \Settings.phonesMax), ("trunks-max", \Settings.trunksMax)] {
            if let value = try CollectorOptionValue.wholeNumber(options, option, of: name, in: 0...1_000_000) {
                settings[keyPath: keyPath] = value
            }
        }
        settings.interval =
            try CollectorOptionValue.duration(options, "interval", of: name, least: .seconds(1)) ?? settings.interval
        settings.phonesInterval =
            try CollectorOptionValue.duration(options, "phones-interval", of: name, least: .seconds(1))
            ?? settings.phonesInterval
        settings.edgeMetrics = try CollectorOptionValue.bool(options, "edge-metrics", of: name) ?? settings.edgeMetrics
        return settings
    }

    static func make(store: MetricStore, grant: OAuthGrant, options: [String: String]) -> Self {
        Self(store: store, settings: (try? settings(options)) ?? Settings())
    }

    init(store: MetricStore, settings: Settings) {
        self.settings = settings
        pollInterval = settings.interval
        // Edge metrics are called only with the option; listed always, like every endpoint the collector may call.
        endpoints = Self.endpoints(grant: .clientCredentials)
        func family(_ name: String, _ help: String) -> GaugeSeriesSet {
            GaugeSeriesSet(store: store, name: name, help: help)
        }
        edges = family(
            "genesys_edges", "Edges in the org by online status (ONLINE, OFFLINE, unknown); every status, 0 included.")
        edgeOnline = family(
            "genesys_edge_online_status",
            "1 for the edge's online status (onlineStatus: ONLINE, OFFLINE, unknown), 0 for the others.")
        edgeStatus = family(
            "genesys_edge_status",
            "1 for the edge's status (statusCode: NEW … ACTIVE, INACTIVE, RMA, …, unknown), 0 for the others.")
        trunks = family("genesys_trunks", "Trunks in the org by trunk type (EXTERNAL, PHONE, EDGE, unknown).")
        trunksConnected = family("genesys_trunks_connected", "Connected trunks in the org by trunk type.")
        trunkConnected = family(
            "genesys_trunk_connected", "1 when the trunk is connected (connectedStatus.connected), else 0.")
        trunkInService = family("genesys_trunk_in_service", "1 when the trunk is in service (inService), else 0.")
        trunkCalls = family(
            "genesys_trunk_calls", "Calls in progress on the trunk by direction (inbound, outbound), from its metrics.")
        phones = family(
            "genesys_phones",
            "Phones by site and operational status (OPERATIONAL, DEGRADED, OFFLINE, UNKNOWN, unknown); 0 included.")
        phoneStatus = family(
            "genesys_phone_status",
            "1 for the phone's operational status, 0 for the others (opt-in: --collector.telephony.phones-max).")
        edgeCPU = family(
            "genesys_edge_cpu_busy_ratio",
            "The edge's processors' mean busy time (activeTimePct / 100) (opt-in: --collector.telephony.edge-metrics).")
        edgeMemoryTotal = family("genesys_edge_memory_total_bytes", "The edge's memory by type (opt-in).")
        edgeMemoryAvailable = family("genesys_edge_memory_available_bytes", "The edge's free memory by type (opt-in).")
        edgeDiskTotal = family("genesys_edge_disk_total_bytes", "The edge's disk size by partition (opt-in).")
        edgeDiskAvailable = family("genesys_edge_disk_available_bytes", "The edge's free disk by partition (opt-in).")
    }

    typealias Series = [(labels: [(String, String)], value: Double)]
    typealias PhoneSeries = (counts: Series, perPhone: Series)

    func collect(_ context: CollectorContext) async throws(APIError) -> Publication {
        let edgeList = try await EntityListing.all(.telephonyEdges, context) { json throws(JSONDecodingError) in
            try TelephonyEdge(json)
        }
        let trunkList = try await EntityListing.all(.telephonyTrunks, context) { json throws(JSONDecodingError) in
            try TelephonyTrunk(json)
        }
        let phoneSeries: PhoneSeries
        if let recent = phoneCache.recent(at: context.clock.now, within: settings.phonesInterval) {
            phoneSeries = recent
        } else {
            let phoneList = try await EntityListing.all(
                .telephonyPhones, context, query: [("expand", "status"), ("fields", Self.phoneFields)]
            ) { json throws(JSONDecodingError) in try TelephonyPhone(json) }
            // No per-phone series is the default, not a cap worth a log line.
            let selectedPhones = Self.capped(
                phoneList, settings.phonesMax, "phones-max", context, quiet: settings.phonesMax == 0)
            phoneSeries = Self.phoneSeries(phoneList, selected: selectedPhones)
            phoneCache.store(phoneSeries, at: context.clock.now)
        }
        let selectedTrunks = Self.capped(trunkList, settings.trunksMax, "trunks-max", context)
        var calls: [String: TrunkCalls] = [:]
        for batch in Self.batches(selectedTrunks.map(\.id)) {
            let result = try await context.api.get(.telephonyTrunkMetrics, query: [("trunkIds", batch)])
            for answer in try context.api.decode(.telephonyTrunkMetrics, result, TrunkCalls.list) {
                calls[answer.trunkID] = answer
            }
        }
        var resources: [String: EdgeResources] = [:]
        if settings.edgeMetrics {
            for batch in Self.batches(edgeList.map(\.id)) {
                let result = try await context.api.get(.telephonyEdgeMetrics, query: [("edgeIds", batch)])
                for answer in try context.api.decode(.telephonyEdgeMetrics, result, EdgeResources.list) {
                    resources[answer.edgeID] = answer
                }
            }
        }
        let edgeSeries = Self.edgeSeries(edgeList)
        let trunkSeries = Self.trunkSeries(trunkList, selected: selectedTrunks, calls: calls)
        let resourceSeries = Self.resourceSeries(edgeList, resources)
        return { [self] in
            edges.publish(edgeSeries.counts)
            edgeOnline.publish(edgeSeries.online)
            edgeStatus.publish(edgeSeries.status)
            trunks.publish(trunkSeries.counts)
            trunksConnected.publish(trunkSeries.connectedCounts)
            trunkConnected.publish(trunkSeries.connected)
            trunkInService.publish(trunkSeries.inService)
            trunkCalls.publish(trunkSeries.calls)
            phones.publish(phoneSeries.counts)
            phoneStatus.publish(phoneSeries.perPhone)
            edgeCPU.publish(resourceSeries.cpu)
            edgeMemoryTotal.publish(resourceSeries.memoryTotal)
            edgeMemoryAvailable.publish(resourceSeries.memoryAvailable)
            edgeDiskTotal.publish(resourceSeries.diskTotal)
            edgeDiskAvailable.publish(resourceSeries.diskAvailable)
        }
    }

    /// The first `max` by name (then id), logging how many were left out unless `quiet`.
    static func capped<Entity: Identified>(
        _ entities: [Entity], _ max: Int, _ option: String, _ context: CollectorContext, quiet: Bool = false
    ) -> [Entity] {
        guard entities.count > max else { return entities }
        if !quiet {
            context.logger.notice(
                "telephony series capped",
                metadata: [
                    "selected": "\(max)", "dropped": "\(entities.count - max)",
                    "flag": "--collector.\(name).\(option)",
                ])
        }
        return Array(entities.sorted { ($0.name, $0.id) < ($1.name, $1.id) }.prefix(max))
    }

    /// Comma-separated ids, `idsPerRequest` a request (as the SDK sends `edgeIds` and `trunkIds`).
    static func batches(_ ids: [String]) -> [String] {
        stride(from: 0, to: ids.count, by: idsPerRequest).map {
            ids[$0..<min($0 + idsPerRequest, ids.count)].joined(separator: ",")
        }
    }

    /// One series per value of `known` plus `unknown`: 1 for `value`'s label, 0 for the others.
    static func stateSet(_ labels: [(String, String)], _ key: String, _ value: String?, _ known: [String]) -> Series {
        let current = TelephonyValues.label(value, known)
        return (known + [TelephonyValues.unknown]).map { (labels + [(key, $0)], $0 == current ? 1 : 0) }
    }

    static func tally(
        _ values: [String], _ known: [String], _ labels: [(String, String)] = [], key: String
    )
        -> Series
    {
        (known + [TelephonyValues.unknown]).map { state in
            (labels + [(key, state)], Double(values.filter { $0 == state }.count))
        }
    }

    static func edgeSeries(_ list: [TelephonyEdge]) -> (counts: Series, online: Series, status: Series) {
        var online: Series = []
        var status: Series = []
        for edge in list {
            let labels = [("edge_id", edge.id), ("edge_name", edge.name), ("site_name", edge.site?.name ?? "")]
            online += stateSet(labels, "status", edge.onlineStatus, TelephonyValues.onlineStatuses)
            status += stateSet(labels, "status", edge.statusCode, TelephonyValues.edgeStatusCodes)
        }
        let counts = tally(
            list.map { TelephonyValues.label($0.onlineStatus, TelephonyValues.onlineStatuses) },
            TelephonyValues.onlineStatuses, key: "status")
        return (counts, online, status)
    }

    static func trunkSeries(
        _ list: [TelephonyTrunk], selected: [TelephonyTrunk], calls: [String: TrunkCalls]
    ) -> (counts: Series, connectedCounts: Series, connected: Series, inService: Series, calls: Series) {
        func type(_ trunk: TelephonyTrunk) -> String {
            TelephonyValues.label(trunk.trunkType, TelephonyValues.trunkTypes)
        }
        var connected: Series = []
        var inService: Series = []
        var callSeries: Series = []
        for trunk in selected {
            let labels = [
                ("trunk_id", trunk.id), ("trunk_name", trunk.name), ("trunk_type", type(trunk)),
                ("edge_name", trunk.edge?.name ?? ""),
            ]
            connected.append((labels, trunk.connected ? 1 : 0))
            inService.append((labels, trunk.inService ? 1 : 0))
            if let answer = calls[trunk.id] {
                callSeries.append((labels + [("direction", "inbound")], Double(answer.inbound)))
                callSeries.append((labels + [("direction", "outbound")], Double(answer.outbound)))
            }
        }
        return (
            tally(list.map(type), TelephonyValues.trunkTypes, key: "trunk_type"),
            tally(list.filter(\.connected).map(type), TelephonyValues.trunkTypes, key: "trunk_type"),
            connected, inService, callSeries
        )
    }

    static func phoneSeries(_ list: [TelephonyPhone], selected: [TelephonyPhone]) -> (counts: Series, perPhone: Series)
    {
        var sites: [String: (name: String, statuses: [String])] = [:]
        for phone in list {
            let status = TelephonyValues.label(phone.operationalStatus, TelephonyValues.phoneStatuses)
            let id = phone.site?.id ?? ""
            sites[id, default: (phone.site?.name ?? "", [])].statuses.append(status)
        }
        var counts: Series = []
        for (id, site) in sites.sorted(by: { $0.key < $1.key }) {
            counts += tally(
                site.statuses, TelephonyValues.phoneStatuses, [("site_id", id), ("site_name", site.name)],
                key: "status")
        }
        var perPhone: Series = []
        for phone in selected {
            perPhone += stateSet(
                [("phone_id", phone.id), ("phone_name", phone.name), ("site_name", phone.site?.name ?? "")], "status",
                phone.operationalStatus, TelephonyValues.phoneStatuses)
        }
        return (counts, perPhone)
    }

    static func resourceSeries(
        _ list: [TelephonyEdge], _ resources: [String: EdgeResources]
    ) -> (cpu: Series, memoryTotal: Series, memoryAvailable: Series, diskTotal: Series, diskAvailable: Series) {
        var result:
            (cpu: Series, memoryTotal: Series, memoryAvailable: Series, diskTotal: Series, diskAvailable: Series) =
                ([], [], [], [], [])
        for edge in list {
            guard let edgeResources = resources[edge.id] else { continue }
            let labels = [("edge_id", edge.id), ("edge_name", edge.name)]
            if let busy = edgeResources.cpuBusyRatio { result.cpu.append((labels, busy)) }
            for memory in edgeResources.memory {
                result.memoryTotal.append((labels + [("type", memory.name)], memory.totalBytes))
                result.memoryAvailable.append((labels + [("type", memory.name)], memory.availableBytes))
            }
            for disk in edgeResources.disks {
                result.diskTotal.append((labels + [("partition", disk.name)], disk.totalBytes))
                result.diskAvailable.append((labels + [("partition", disk.name)], disk.availableBytes))
            }
        }
        return result
    }
}

/// An entity of a telephony listing: its id keeps it once, its name orders the capped selection.
extension TelephonyEdge: Identified {}
extension TelephonyTrunk: Identified {}
extension TelephonyPhone: Identified {}

extension Endpoint {
    package static let telephonyEdges = Endpoint(
        method: "GET", template: "/api/v2/telephony/providers/edges", permission: "telephony:plugin:all",
        answer: AnswerDecoder(fuzzName: "edge-page") { json throws(JSONDecodingError) in
            try ListingPage(json) { element throws(JSONDecodingError) in try TelephonyEdge(element) }
        })

    package static let telephonyEdgeMetrics = Endpoint(
        method: "GET", template: "/api/v2/telephony/providers/edges/metrics", permission: "telephony:plugin:all",
        answer: AnswerDecoder(fuzzName: "edge-metrics") { json throws(JSONDecodingError) in
            try EdgeResources.list(json)
        })

    package static let telephonyTrunks = Endpoint(
        method: "GET", template: "/api/v2/telephony/providers/edges/trunks", permission: "telephony:plugin:all",
        answer: AnswerDecoder(fuzzName: "trunk-page") { json throws(JSONDecodingError) in
            try ListingPage(json) { element throws(JSONDecodingError) in try TelephonyTrunk(element) }
        })

    package static let telephonyTrunkMetrics = Endpoint(
        method: "GET", template: "/api/v2/telephony/providers/edges/trunks/metrics",
        permission: "telephony:plugin:all",
        answer: AnswerDecoder(fuzzName: "trunk-metrics") { json throws(JSONDecodingError) in
            try TrunkCalls.list(json)
        })

    package static let telephonyPhones = Endpoint(
        method: "GET", template: "/api/v2/telephony/providers/edges/phones", permission: "telephony:plugin:all",
        answer: AnswerDecoder(fuzzName: "phone-page") { json throws(JSONDecodingError) in
            try ListingPage(json) { element throws(JSONDecodingError) in try TelephonyPhone(element) }
        })
}
