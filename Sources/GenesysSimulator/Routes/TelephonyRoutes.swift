/// Telephony (`/api/v2/telephony/providers/edges…`): edges, trunks and phones as page-number listings like the
/// queue listing, and the batched edge and trunk metrics. Shapes and enum values are the Python SDK's models
/// (EdgeEntityListing, TrunkEntityListing, PhoneEntityListing, EdgeMetrics, TrunkMetrics).
enum TelephonyRoutes {
    static let edgesPath = "/api/v2/telephony/providers/edges"
    static let edgeMetricsPath = "/api/v2/telephony/providers/edges/metrics"
    static let trunksPath = "/api/v2/telephony/providers/edges/trunks"
    static let trunkMetricsPath = "/api/v2/telephony/providers/edges/trunks/metrics"
    static let phonesPath = "/api/v2/telephony/providers/edges/phones"
    static let permission = "telephony:plugin:all"
    /// The SDK's limit on `edgeIds` per metrics request.
    static let maxMetricsIDs = 100

    /// The ids of a comma-separated id list (`edgeIds`, `trunkIds`), or a 400 when absent, empty or too long.
    static func ids(_ request: SimulatorRequest, _ name: String) -> Result<[String], TelephonyRouteError> {
        let ids = (request.query[name] ?? "").split(separator: ",").map(String.init)
        guard !ids.isEmpty else {
            return .failure(TelephonyRouteError(response: ErrorBodies.badRequest("\(name) is required.")))
        }
        guard ids.count <= maxMetricsIDs else {
            return .failure(
                TelephonyRouteError(
                    response: ErrorBodies.badRequest("A maximum of \(maxMetricsIDs) \(name) is allowed.")))
        }
        return .success(ids)
    }

    static func edgeMetrics(_ request: SimulatorRequest, catalog: TelephonyCatalog) -> SimulatorResponse {
        switch ids(request, "edgeIds") {
        case .failure(let error): return error.response
        case .success(let ids):
            return .json(200, ids.compactMap { catalog.edgeIndex($0) }.map { catalog.edgeMetricsObject($0) })
        }
    }

    static func trunkMetrics(_ request: SimulatorRequest, catalog: TelephonyCatalog) -> SimulatorResponse {
        switch ids(request, "trunkIds") {
        case .failure(let error): return error.response
        case .success(let ids):
            return .json(200, ids.compactMap { catalog.trunkIndex($0) }.map { catalog.trunkMetricsObject($0) })
        }
    }
}

/// A refused request's answer, carried through `Result`.
struct TelephonyRouteError: Error {
    let response: SimulatorResponse
}

extension TelephonyRoutes: SimulatorRouteFile {
    static let routes = [
        SimulatorRoute("GET", edgesPath, permission: permission) { core, request, _, _ in
            let (catalog, maxPageSize) = core.state.withLock { ($0.telephony, $0.configuration.maxPageSize) }
            return EntityListing.page(request, path: edgesPath, count: catalog.edgeCount, maxPageSize: maxPageSize) {
                catalog.edgeObject($0)
            }
        },
        SimulatorRoute("GET", edgeMetricsPath, permission: permission) { core, request, _, _ in
            edgeMetrics(request, catalog: core.state.withLock { $0.telephony })
        },
        SimulatorRoute("GET", trunksPath, permission: permission) { core, request, _, _ in
            let (catalog, maxPageSize) = core.state.withLock { ($0.telephony, $0.configuration.maxPageSize) }
            return EntityListing.page(request, path: trunksPath, count: catalog.trunkCount, maxPageSize: maxPageSize) {
                catalog.trunkObject($0)
            }
        },
        SimulatorRoute("GET", trunkMetricsPath, permission: permission) { core, request, _, _ in
            trunkMetrics(request, catalog: core.state.withLock { $0.telephony })
        },
        SimulatorRoute("GET", phonesPath, permission: permission) { core, request, _, _ in
            let (catalog, maxPageSize) = core.state.withLock { ($0.telephony, $0.configuration.maxPageSize) }
            // The phone's status comes only when asked for (`expand=status`), as the API sends it.
            let expanded = (request.query["expand"] ?? "").split(separator: ",").contains("status")
            // `fields` keeps only the listed properties (and the id), as the API does.
            let fields = request.query["fields"].map { Set($0.split(separator: ",").map(String.init) + ["id"]) }
            return EntityListing.page(request, path: phonesPath, count: catalog.phoneCount, maxPageSize: maxPageSize) {
                let phone = catalog.phoneObject($0, withStatus: expanded)
                guard let fields else { return phone }
                return phone.filter { fields.contains($0.key) }
            }
        },
    ]
}

/// A simulated edge's status, as `GenesysSimulator.setEdgeStatus` sets it (any text, to test unknown values).
package struct SimulatedEdgeStatus: Sendable, Equatable {
    package var onlineStatus: String
    package var statusCode: String

    package init(onlineStatus: String, statusCode: String) {
        self.onlineStatus = onlineStatus
        self.statusCode = statusCode
    }
}

/// A simulated phone as a test sees it.
package struct SimulatedPhone: Sendable, Equatable {
    package let id: String
    package let name: String
    package let siteName: String
    package let operationalStatus: String
}

/// The deterministic telephony of the simulated org: edge, trunk and phone `i` always look the same, in two sites.
/// Edge 1 is OFFLINE and INACTIVE, trunk 1 disconnected and every tenth phone from 3 OFFLINE, from 7 DEGRADED.
struct TelephonyCatalog: Sendable {
    static let maximumCount = 100_000
    static let siteNames = ["Headquarters", "Zürich \"Branch\""]

    let edgeCount: Int
    let trunkCount: Int
    let phoneCount: Int
    var edgeStatuses: [Int: SimulatedEdgeStatus] = [:]

    init(edges: Int, trunks: Int, phones: Int) {
        edgeCount = min(max(edges, 0), Self.maximumCount)
        trunkCount = min(max(trunks, 0), Self.maximumCount)
        phoneCount = min(max(phones, 0), Self.maximumCount)
    }

    static func uuid(_ kind: Int, _ index: Int) -> String {
        func hex16(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        let chars = Array(hex16(StableHash.value(kind, index, 1)) + hex16(StableHash.value(kind, index, 2)))
        return String(chars[0..<8]) + "-" + String(chars[8..<12]) + "-4" + String(chars[13..<16]) + "-a"
            + String(chars[17..<20]) + "-" + String(chars[20..<32])
    }

    static func siteID(_ index: Int) -> String { uuid(0x7E1, index) }
    static func edgeID(_ index: Int) -> String { uuid(0x7E2, index) }
    static func trunkID(_ index: Int) -> String { uuid(0x7E3, index) }
    static func phoneID(_ index: Int) -> String { uuid(0x7E4, index) }

    static func siteObject(_ index: Int) -> [String: Any] {
        let site = index % siteNames.count
        return [
            "id": siteID(site), "name": siteNames[site],
            "selfUri": "/api/v2/telephony/providers/edges/sites/\(siteID(site))",
        ]
    }

    func edgeIndex(_ id: String) -> Int? { (0..<edgeCount).first { Self.edgeID($0) == id } }
    func trunkIndex(_ id: String) -> Int? { (0..<trunkCount).first { Self.trunkID($0) == id } }

    static func edgeName(_ index: Int) -> String { "Edge \(index + 1)" }

    func edgeStatus(_ index: Int) -> SimulatedEdgeStatus {
        edgeStatuses[index]
            ?? (index == 1
                ? SimulatedEdgeStatus(onlineStatus: "OFFLINE", statusCode: "INACTIVE")
                : SimulatedEdgeStatus(onlineStatus: "ONLINE", statusCode: "ACTIVE"))
    }

    func edgeObject(_ index: Int) -> [String: Any] {
        let status = edgeStatus(index)
        return [
            "id": Self.edgeID(index),
            "name": Self.edgeName(index),
            "state": "active",
            "statusCode": status.statusCode,
            "onlineStatus": status.onlineStatus,
            "site": Self.siteObject(index),
            "edgeDeploymentType": "HARDWARE",
            "physicalEdge": true,
            "managed": true,
            "version": 3,
            "selfUri": "\(TelephonyRoutes.edgesPath)/\(Self.edgeID(index))",
        ]
    }

    static let trunkTypes = ["EXTERNAL", "EXTERNAL", "EDGE", "PHONE"]

    func trunkObject(_ index: Int) -> [String: Any] {
        var trunk: [String: Any] = [
            "id": Self.trunkID(index),
            "name": "Trunk \(index + 1)",
            "state": "active",
            "trunkType": Self.trunkTypes[index % Self.trunkTypes.count],
            "inService": index % 5 != 4,
            "enabled": true,
            "connectedStatus": [
                "connected": index != 1, "connectedStateTime": "2026-11-30T08:\(10 + index % 50):00.000Z",
            ],
            "selfUri": "\(TelephonyRoutes.trunksPath)/\(Self.trunkID(index))",
        ]
        if edgeCount > 0 {
            let edge = index % edgeCount
            trunk["edge"] = [
                "id": Self.edgeID(edge), "name": Self.edgeName(edge),
                "selfUri": "\(TelephonyRoutes.edgesPath)/\(Self.edgeID(edge))",
            ]
        }
        return trunk
    }

    /// Calls in progress on trunk `index`: inbound and outbound.
    static func trunkCalls(_ index: Int) -> (inbound: Int, outbound: Int) {
        ((index * 3 + 1) % 7, index % 3)
    }

    func trunkMetricsObject(_ index: Int) -> [String: Any] {
        let calls = Self.trunkCalls(index)
        return [
            "eventTime": "2026-12-03T12:00:00.000Z",
            "trunk": [
                "id": Self.trunkID(index), "selfUri": "\(TelephonyRoutes.trunksPath)/\(Self.trunkID(index))",
            ],
            "calls": ["inboundCallCount": calls.inbound, "outboundCallCount": calls.outbound],
        ]
    }

    /// CPU busy percent, memory and disk of edge `index`.
    static func edgeResources(
        _ index: Int
    ) -> (
        cpuPercent: Double, memoryTotal: Double, memoryAvailable: Double,
        diskTotal: Double, diskAvailable: Double
    ) {
        let gib = 1_073_741_824.0
        return (
            Double(10 + index * 7 % 60), 16 * gib, Double(4 + index % 8) * gib, 256 * gib, Double(100 + index) * gib
        )
    }

    func edgeMetricsObject(_ index: Int) -> [String: Any] {
        let resources = Self.edgeResources(index)
        return [
            "edge": ["id": Self.edgeID(index), "selfUri": "\(TelephonyRoutes.edgesPath)/\(Self.edgeID(index))"],
            "eventTime": "2026-12-03T12:00:00.000Z",
            "upTimeMsec": 86_400_000 * (index + 1),
            "processors": [
                [
                    "cpuId": "0", "activeTimePct": resources.cpuPercent, "idleTimePct": 100 - resources.cpuPercent,
                    "userTimePct": resources.cpuPercent, "privilegedTimePct": 0,
                ]
            ],
            "memory": [
                [
                    "type": "physical", "totalBytes": resources.memoryTotal,
                    "availableBytes": resources.memoryAvailable,
                ]
            ],
            "disks": [
                [
                    "partitionName": "/", "totalBytes": resources.diskTotal,
                    "availableBytes": resources.diskAvailable,
                ]
            ],
        ]
    }

    static func phoneStatus(_ index: Int) -> String {
        switch index % 10 {
        case 3: "OFFLINE"
        case 7: "DEGRADED"
        default: "OPERATIONAL"
        }
    }

    static func phone(_ index: Int) -> SimulatedPhone {
        SimulatedPhone(
            id: phoneID(index), name: "Phone \(String(index + 1).leftPadded(to: 4))",
            siteName: siteNames[index % siteNames.count], operationalStatus: phoneStatus(index))
    }

    func phoneObject(_ index: Int, withStatus: Bool) -> [String: Any] {
        let phone = Self.phone(index)
        var object: [String: Any] = [
            "id": phone.id,
            "name": phone.name,
            "state": "active",
            "site": Self.siteObject(index),
            "selfUri": "\(TelephonyRoutes.phonesPath)/\(phone.id)",
        ]
        if withStatus {
            object["status"] = [
                "id": phone.id,
                "operationalStatus": phone.operationalStatus,
                "edgesStatus": phone.operationalStatus == "OFFLINE" ? "OUT_OF_SERVICE" : "IN_SERVICE",
            ]
        }
        return object
    }
}
