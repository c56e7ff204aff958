/// Version facts exported as `genesys_exporter_build_info` and sent as the User-Agent.
package enum BuildInfo {
    package static let version = "0.1.0"
    /// The git revision the binary was built from (12 hex digits, "-dirty" with uncommitted changes), stamped by
    /// the BuildStamp plugin; "unknown" for a build outside a git checkout.
    package static let revision = buildStampRevision
    /// What API requests send as `User-Agent`.
    package static var userAgent: String { "genesys-exporter/\(version)" }

    /// "0.1.0 (revision 3b1bb9e8cc3a, Swift 6.3)", as `--version` and the landing page show it.
    package static var summary: String {
        let revisionText =
            revision == "unknown" ? "revision unknown: not built from a git checkout" : "revision \(revision)"
        return "\(version) (\(revisionText), Swift \(swiftVersion))"
    }

    #if compiler(>=6.3)
    package static let swiftVersion = "6.3"
    #elseif compiler(>=6.2)
    package static let swiftVersion = "6.2"
    #else
    package static let swiftVersion = "6.x"
    #endif
}
