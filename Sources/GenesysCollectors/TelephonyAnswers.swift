import GenesysJSON

/// The telephony collector's answers, read with the fields it uses (shapes from the Python SDK's Edge, Trunk,
/// Phone, PhoneStatus, EdgeMetrics, TrunkMetrics and their `…EntityListing`). Enum-valued fields stay raw text
/// here; `TelephonyValues` maps them to label values, so a value Genesys adds later is `unknown`, not a failure.
enum TelephonyLimits {
    /// Calls in progress on one trunk: far above any real trunk.
    static let mostCalls = 10_000_000
    /// Bytes of memory or disk on one edge: 1 EiB.
    static let mostBytes = 1_152_921_504_606_846_976.0
    /// Processors, memory kinds and disks read per edge; the rest are ignored (an edge has a few of each).
    static let mostResourcesPerEdge = 64
}

/// A reference to another entity (`DomainEntityRef`, or a `Site` as the edge listing embeds it).
struct TelephonyReference: Sendable, Equatable {
    let id: String
    let name: String

    init?(_ json: JSONCursor?) throws(JSONDecodingError) {
        guard let json else { return nil }
        id = try json.optionalString("id") ?? ""
        name = try json.optionalString("name") ?? ""
    }
}

/// An edge as `GET /api/v2/telephony/providers/edges` lists it.
struct TelephonyEdge: Sendable, Equatable {
    let id: String
    let name: String
    let site: TelephonyReference?
    /// `onlineStatus` (ONLINE, OFFLINE), raw.
    let onlineStatus: String?
    /// `statusCode` (NEW … ACTIVE, INACTIVE, RMA, …), raw.
    let statusCode: String?

    init(_ json: JSONCursor) throws(JSONDecodingError) {
        id = try json.string("id")
        name = try json.optionalString("name") ?? ""
        site = try TelephonyReference(json.optionalField("site"))
        onlineStatus = try json.optionalString("onlineStatus")
        statusCode = try json.optionalString("statusCode")
    }
}

/// A trunk as `GET /api/v2/telephony/providers/edges/trunks` lists it.
struct TelephonyTrunk: Sendable, Equatable {
    let id: String
    let name: String
    /// `trunkType` (EXTERNAL, PHONE, EDGE), raw.
    let trunkType: String?
    let inService: Bool
    /// `connectedStatus.connected`; false when Genesys sends no connected status.
    let connected: Bool
    let edge: TelephonyReference?

    init(_ json: JSONCursor) throws(JSONDecodingError) {
        id = try json.string("id")
        name = try json.optionalString("name") ?? ""
        trunkType = try json.optionalString("trunkType")
        inService = try json.optionalField("inService")?.bool() ?? false
        connected = try json.optionalField("connectedStatus")?.optionalField("connected")?.bool() ?? false
        edge = try TelephonyReference(json.optionalField("edge"))
    }
}

/// A phone as `GET /api/v2/telephony/providers/edges/phones?expand=status` lists it.
struct TelephonyPhone: Sendable, Equatable {
    let id: String
    let name: String
    let site: TelephonyReference?
    /// `status.operationalStatus` (OPERATIONAL, DEGRADED, OFFLINE, UNKNOWN), raw.
    let operationalStatus: String?

    init(_ json: JSONCursor) throws(JSONDecodingError) {
        id = try json.string("id")
        name = try json.optionalString("name") ?? ""
        site = try TelephonyReference(json.optionalField("site"))
        operationalStatus = try json.optionalField("status")?.optionalString("operationalStatus")
    }
}

/// Calls in progress on one trunk, from `GET …/edges/trunks/metrics?trunkIds=` (a list of `TrunkMetrics`).
struct TrunkCalls: Sendable, Equatable {
    let trunkID: String
    let inbound: Int
    let outbound: Int

    init(_ json: JSONCursor) throws(JSONDecodingError) {
        trunkID = try json.field("trunk").string("id")
        let calls = try json.optionalField("calls")
        inbound = try calls?.optionalField("inboundCallCount")?.int(in: 0...TelephonyLimits.mostCalls) ?? 0
        outbound = try calls?.optionalField("outboundCallCount")?.int(in: 0...TelephonyLimits.mostCalls) ?? 0
    }

    static func list(_ json: JSONCursor) throws(JSONDecodingError) -> [TrunkCalls] {
        try json.elements().map { element throws(JSONDecodingError) in try TrunkCalls(element) }
    }
}

/// One edge's resources, from `GET …/edges/metrics?edgeIds=` (a list of `EdgeMetrics`).
struct EdgeResources: Sendable, Equatable {
    struct Capacity: Sendable, Equatable {
        /// The memory `type` or disk `partitionName`.
        let name: String
        let totalBytes: Double
        let availableBytes: Double
    }

    let edgeID: String
    /// The processors' mean `activeTimePct` as a ratio (0...1); nil without processors.
    let cpuBusyRatio: Double?
    let memory: [Capacity]
    let disks: [Capacity]

    init(_ json: JSONCursor) throws(JSONDecodingError) {
        edgeID = try json.field("edge").string("id")
        let processors = try (json.optionalField("processors")?.elements() ?? [])
            .prefix(TelephonyLimits.mostResourcesPerEdge)
        var busy: [Double] = []
        for processor in processors {
            if let active = try processor.optionalField("activeTimePct")?.double(in: 0...100) { busy.append(active) }
        }
        cpuBusyRatio = busy.isEmpty ? nil : busy.reduce(0, +) / Double(busy.count) / 100
        memory = try Self.capacities(json.optionalField("memory"), nameKey: "type")
        disks = try Self.capacities(json.optionalField("disks"), nameKey: "partitionName")
    }

    private static func capacities(_ json: JSONCursor?, nameKey: String) throws(JSONDecodingError) -> [Capacity] {
        var seen: Set<String> = []
        var capacities: [Capacity] = []
        for element in try (json?.elements() ?? []).prefix(TelephonyLimits.mostResourcesPerEdge) {
            let name = try element.optionalString(nameKey) ?? ""
            guard seen.insert(name).inserted else { continue }
            capacities.append(
                Capacity(
                    name: name,
                    totalBytes: try element.optionalField("totalBytes")?.double(in: 0...TelephonyLimits.mostBytes) ?? 0,
                    availableBytes: try element.optionalField("availableBytes")?
                        .double(in: 0...TelephonyLimits.mostBytes) ?? 0))
        }
        return capacities
    }

    static func list(_ json: JSONCursor) throws(JSONDecodingError) -> [EdgeResources] {
        try json.elements().map { element throws(JSONDecodingError) in try EdgeResources(element) }
    }
}

/// The label values of the telephony enums: the SDK's values, and `unknown` for anything else or nothing.
enum TelephonyValues {
    static let unknown = "unknown"
    static let onlineStatuses = ["ONLINE", "OFFLINE"]
    static let edgeStatusCodes = [
        "NEW", "AWAITING_CONNECTION", "AWAITING_FINGERPRINT", "AWAITING_FINGERPRINT_VERIFICATION",
        "FINGERPRINT_VERIFIED", "AWAITING_BOOTSTRAP", "ACTIVE", "INACTIVE", "RMA", "UNPAIRING", "UNPAIRED",
        "INITIALIZING",
    ]
    static let trunkTypes = ["EXTERNAL", "PHONE", "EDGE"]
    static let phoneStatuses = ["OPERATIONAL", "DEGRADED", "OFFLINE", "UNKNOWN"]

    /// `value` when it is one of `known`, `unknown` otherwise.
    static func label(_ value: String?, _ known: [String]) -> String {
        guard let value, known.contains(value) else { return unknown }
        return value
    }
}
