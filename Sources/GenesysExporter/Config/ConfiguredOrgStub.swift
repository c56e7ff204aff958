// TEMPORARY: replaced by the orgs-config branch's ConfiguredOrg.
package struct ConfiguredOrg: Sendable {
    package let name: String
    package let settings: OrgSettings
    package func isUnchanged(from other: ConfiguredOrg) -> Bool { false }
}
