import GenesysJSON

/// The org's presence mapping as analytics answers carry it (`systemToOrganizationMappings`: system presence →
/// org presence ids): oUserPresences qualifies by org presence id, the exporter labels by system presence.
package struct PresenceMapping: Sendable, Equatable {
    /// Genesys' system presences, the keys of `systemToOrganizationMappings`.
    package static let systemPresences = [
        "AVAILABLE", "AWAY", "BUSY", "BREAK", "MEAL", "MEETING", "TRAINING", "ON_QUEUE", "OFFLINE", "IDLE",
    ]
    /// The label of an org presence the mapping does not name (and of any value outside `systemPresences`).
    package static let unknown = "UNKNOWN"

    private var systemPresenceOf: [String: String] = [:]

    package init() {}

    package var isEmpty: Bool { systemPresenceOf.isEmpty }

    /// Adds the mappings of one answer, if it has any (keys other than the system presences are ignored).
    package mutating func add(answer json: JSONCursor) throws(JSONDecodingError) {
        guard let mappings = try json.optionalField("systemToOrganizationMappings") else { return }
        for system in Self.systemPresences {
            for orgPresence in try mappings.optionalField(system)?.elements() ?? [] {
                systemPresenceOf[try orgPresence.string()] = system
            }
        }
    }

    /// Later mappings win: a presence definition moved to another system presence counts there.
    package mutating func merge(_ other: PresenceMapping) {
        systemPresenceOf.merge(other.systemPresenceOf) { _, new in new }
    }

    /// The system presence of an org presence id, `UNKNOWN` when the mapping does not name it.
    package func systemPresence(of orgPresence: String) -> String {
        systemPresenceOf[orgPresence] ?? Self.unknown
    }
}
