import GenesysJSON

/// Bounds on what is read from the page: far above Genesys' page, far below anything costly.
enum StatusPageLimits {
    static let mostComponents = 5_000
    static let mostIncidents = 1_000
    static let mostComponentsPerIncident = 5_000
    /// Names and ids are cut to this many scalars (they become label values).
    static let longestText = 200

    static func text(_ value: String) -> String {
        guard value.unicodeScalars.count > longestText else { return value }
        var cut = String.UnicodeScalarView()
        cut.append(contentsOf: value.unicodeScalars.prefix(longestText))
        return String(cut)
    }
}

/// `GET /api/v2/summary.json` of an Atlassian Statuspage, with the fields the collector uses. Enum-valued fields
/// stay raw here; `StatusPageValues` maps them to label values, so a value the page adds later is `unknown`.
struct StatusPageSummary: Sendable, Equatable {
    struct Component: Sendable, Equatable {
        let id: String
        let name: String
        /// `status` (operational, degraded_performance, partial_outage, major_outage, under_maintenance), raw.
        let status: String?
        let groupID: String?
        /// `group`: true for a group of components, whose members name it in `group_id`.
        let isGroup: Bool

        init(_ json: JSONCursor) throws(JSONDecodingError) {
            id = StatusPageLimits.text(try json.string("id"))
            name = StatusPageLimits.text(try json.optionalString("name") ?? "")
            status = try json.optionalString("status").map(StatusPageLimits.text)
            // Ungrouped components send `"group_id": null`, read as absent.
            groupID = try json.optionalString("group_id").map(StatusPageLimits.text)
            isGroup = try json.optionalField("group")?.bool() ?? false
        }
    }

    struct Incident: Sendable, Equatable {
        let id: String
        /// `status` (investigating, identified, monitoring, resolved, postmortem), raw.
        let status: String?
        /// `impact` (none, minor, major, critical), raw.
        let impact: String?
        /// The ids of the components it names (`components[].id`).
        let componentIDs: [String]

        init(_ json: JSONCursor) throws(JSONDecodingError) {
            id = StatusPageLimits.text(try json.optionalString("id") ?? "")
            status = try json.optionalString("status").map(StatusPageLimits.text)
            impact = try json.optionalString("impact").map(StatusPageLimits.text)
            componentIDs = try (json.optionalField("components")?.elements() ?? [])
                .prefix(StatusPageLimits.mostComponentsPerIncident)
                .map { component throws(JSONDecodingError) in StatusPageLimits.text(try component.string("id")) }
        }
    }

    let components: [Component]
    /// The unresolved incidents the summary lists.
    let incidents: [Incident]
    /// `status.indicator` (none, minor, major, critical), raw.
    let indicator: String?

    init(_ json: JSONCursor) throws(JSONDecodingError) {
        // The page's own fields: a JSON answer without them is not a status page summary.
        _ = try json.field("page")
        components = try (json.optionalField("components")?.elements() ?? []).prefix(StatusPageLimits.mostComponents)
            .map { element throws(JSONDecodingError) in try Component(element) }
        incidents = try (json.optionalField("incidents")?.elements() ?? []).prefix(StatusPageLimits.mostIncidents)
            .map { element throws(JSONDecodingError) in try Incident(element) }
        indicator = try json.optionalField("status")?.optionalString("indicator").map(StatusPageLimits.text)
    }

    /// The names of its groups, in page order (for the log line when nothing matches).
    var groupNames: [String] { components.filter(\.isGroup).map(\.name) }
}

/// The label values of the status page's enums: Statuspage's values, and `unknown` for anything else or nothing.
enum StatusPageValues {
    static let unknown = "unknown"
    static let componentStatuses = [
        "operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance",
    ]
    static let impacts = ["none", "minor", "major", "critical"]
    /// `maintenance` is not in Statuspage's documented list, but pages report it during maintenance.
    static let indicators = ["none", "minor", "major", "critical", "maintenance"]

    /// `value` when it is one of `known`, `unknown` otherwise.
    static func label(_ value: String?, _ known: [String]) -> String {
        guard let value, known.contains(value) else { return unknown }
        return value
    }
}
