/// Genesys' public status page (`status.mypurecloud.com`, an Atlassian Statuspage): its `GET /api/v2/summary.json`,
/// served on the simulator's one port without a token, as the real page is. Shape and enum values are Statuspage's
/// public API (page, components with their groups, unresolved incidents, status indicator).
enum StatusPageRoutes {
    static let summaryPath = "/api/v2/summary.json"
}

extension StatusPageRoutes: SimulatorRouteFile {
    static let routes = [
        SimulatorRoute.unauthenticated("GET", summaryPath) { core, _ in
            let page = core.state.withLock { $0.statusPage }
            return page.maintenance ? page.maintenancePage() : .json(200, page.summaryObject())
        }
    ]
}

/// An open incident on the simulated status page, as a test adds it.
package struct SimulatedStatusIncident: Sendable, Equatable {
    package var name: String
    /// Statuspage's `status`: investigating, identified, monitoring, resolved, postmortem (any text, to test unknown).
    package var status: String
    /// Statuspage's `impact`: none, minor, major, critical (any text).
    package var impact: String
    /// The `(group, component)` names it affects; a group's name with an empty component names the group itself.
    package var components: [(group: String, component: String)]

    package init(
        name: String, status: String = "investigating", impact: String,
        components: [(group: String, component: String)] = []
    ) {
        self.name = name
        self.status = status
        self.impact = impact
        self.components = components
    }

    package static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.name == rhs.name && lhs.status == rhs.status && lhs.impact == rhs.impact
            && lhs.components.map { [$0.group, $0.component] } == rhs.components.map { [$0.group, $0.component] }
    }
}

/// The simulated status page: Genesys-like region groups, each with the same components, all operational until a
/// test says otherwise; one ungrouped component; no incident.
package struct SimulatedStatusPage: Sendable {
    package static let groups = [
        "Americas (US East)", "Americas (US West)", "EMEA (Frankfurt)", "EMEA (Dublin)", "Asia Pacific (Sydney)",
    ]
    package static let components = [
        "Analytics", "Architect", "Authentication and Login", "Edge Voice Services", "Integrations",
        "Routing and Queues", "Web Messaging", "Workforce Engagement Management",
    ]
    /// A component outside every group, as pages often have.
    package static let ungrouped = "Genesys AppFoundry"
    static let pageID = "b4y7m8xjv3z0"
    static let updatedAt = "2026-12-03T12:00:00.000Z"

    /// Statuses set by tests, by `[group, component]` (empty group: the ungrouped component).
    var statuses: [[String]: String] = [:]
    var incidents: [SimulatedStatusIncident] = []
    /// The page answers its HTML maintenance page instead of JSON.
    var maintenance = false

    package func status(group: String, component: String) -> String {
        statuses[[group, component]] ?? "operational"
    }

    /// A stable 12-character Statuspage-like id.
    static func id(_ parts: Int...) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var value = StableHash.value(parts)
        return String(
            (0..<12).map { _ in
                defer { value /= 36 }
                return alphabet[Int(value % 36)]
            })
    }

    static func groupID(_ group: Int) -> String { id(0x5A1, group) }
    static func componentID(_ group: Int, _ component: Int) -> String { id(0x5A2, group, component) }
    static let ungroupedID = id(0x5A3, 0)

    /// The id of `(group, component)`: a group's own id for an empty component; nil when the page has no such name.
    func componentID(group: String, component: String) -> String? {
        if group.isEmpty { return component == Self.ungrouped ? Self.ungroupedID : nil }
        guard let groupIndex = Self.groups.firstIndex(of: group) else { return nil }
        if component.isEmpty { return Self.groupID(groupIndex) }
        return Self.components.firstIndex(of: component).map { Self.componentID(groupIndex, $0) }
    }

    private static let severity = [
        "operational": 0, "under_maintenance": 1, "degraded_performance": 2, "partial_outage": 3, "major_outage": 4,
    ]

    private func componentObject(
        id: String, name: String, status: String, position: Int, groupID: String?, members: [String]?
    ) -> [String: Any] {
        var object: [String: Any] = [
            "id": id, "name": name, "status": status, "created_at": "2019-01-15T17:00:00.000Z",
            "updated_at": Self.updatedAt, "position": position, "description": JSONNull(), "showcase": false,
            "start_date": JSONNull(), "group_id": groupID.map { $0 as Any } ?? JSONNull(), "page_id": Self.pageID,
            "group": members != nil, "only_show_if_degraded": false,
        ]
        if let members { object["components"] = members }
        return object
    }

    func componentObjects() -> [[String: Any]] {
        var objects: [[String: Any]] = []
        for (groupIndex, group) in Self.groups.enumerated() {
            let statuses = Self.components.map { status(group: group, component: $0) }
            // A group shows its worst member's status, as Statuspage does.
            let worst = statuses.max { (Self.severity[$0] ?? 5) < (Self.severity[$1] ?? 5) } ?? "operational"
            objects.append(
                componentObject(
                    id: Self.groupID(groupIndex), name: group, status: worst, position: groupIndex + 1, groupID: nil,
                    members: Self.components.indices.map { Self.componentID(groupIndex, $0) }))
            for (index, component) in Self.components.enumerated() {
                objects.append(
                    componentObject(
                        id: Self.componentID(groupIndex, index), name: component, status: statuses[index],
                        position: index + 1, groupID: Self.groupID(groupIndex), members: nil))
            }
        }
        objects.append(
            componentObject(
                id: Self.ungroupedID, name: Self.ungrouped, status: status(group: "", component: Self.ungrouped),
                position: Self.groups.count + 1, groupID: nil, members: nil))
        return objects
    }

    func incidentObject(_ index: Int, _ incident: SimulatedStatusIncident, components: [[String: Any]]) -> [String: Any]
    {
        let id = Self.id(0x5A4, index)
        let affected = incident.components.compactMap { componentID(group: $0.group, component: $0.component) }
        return [
            "id": id, "name": incident.name, "status": incident.status, "impact": incident.impact,
            "created_at": Self.updatedAt, "updated_at": Self.updatedAt, "started_at": Self.updatedAt,
            "monitoring_at": JSONNull(), "resolved_at": JSONNull(), "page_id": Self.pageID,
            "shortlink": "https://stspg.io/\(id.prefix(9))",
            "incident_updates": [
                [
                    "id": Self.id(0x5A5, index), "incident_id": id, "status": incident.status,
                    "body": "We are investigating reports of \(incident.name.lowercased()).",
                    "created_at": Self.updatedAt, "updated_at": Self.updatedAt, "display_at": Self.updatedAt,
                ]
            ],
            "components": components.filter { affected.contains($0["id"] as? String ?? "") },
        ]
    }

    /// Statuspage's indicator: the worst open incident's impact, else from the components' statuses.
    func indicator() -> (indicator: String, description: String) {
        let impacts = ["none": 0, "minor": 1, "major": 2, "critical": 3]
        let open = incidents.filter { !["resolved", "postmortem"].contains($0.status) }
        let worst = open.map { impacts[$0.impact] ?? 1 }.max() ?? 0
        let current = Set(statuses.values)
        if worst == 3 { return ("critical", "Major System Outage") }
        if worst == 2 || current.contains("major_outage") { return ("major", "Partial System Outage") }
        if worst == 1 || current.contains("partial_outage") || current.contains("degraded_performance") {
            return ("minor", "Minor Service Outage")
        }
        if current.contains("under_maintenance") { return ("maintenance", "Service Under Maintenance") }
        return ("none", "All Systems Operational")
    }

    func summaryObject() -> [String: Any] {
        let components = componentObjects()
        let overall = indicator()
        return [
            "page": [
                "id": Self.pageID, "name": "Genesys Cloud", "url": "https://status.mypurecloud.com",
                "time_zone": "Etc/UTC", "updated_at": Self.updatedAt,
            ],
            "components": components,
            "incidents": incidents.enumerated().map { incidentObject($0.offset, $0.element, components: components) },
            "scheduled_maintenances": [Any](),
            "status": ["indicator": overall.indicator, "description": overall.description],
        ]
    }

    /// What the page answers during its own maintenance: 200 and HTML, not JSON.
    func maintenancePage() -> SimulatorResponse {
        let html = """
            <!DOCTYPE html>
            <html><head><title>Genesys Cloud Status - Down for Maintenance</title></head>
            <body><h1>We'll be right back</h1>
            <p>The status page is undergoing scheduled maintenance.</p></body></html>
            """
        return SimulatorResponse(
            status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(html.utf8))
    }
}
