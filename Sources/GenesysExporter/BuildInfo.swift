/// Version facts exported as `genesys_exporter_build_info` and sent as the User-Agent.
public enum BuildInfo {
    public static let version = "0.1.0"
    /// Set at build time by `scripts/test` / release builds through GENESYS_EXPORTER_REVISION; "unknown" otherwise.
    public static let revision = "unknown"
    #if compiler(>=6.3)
    public static let swiftVersion = "6.3"
    #elseif compiler(>=6.2)
    public static let swiftVersion = "6.2"
    #else
    public static let swiftVersion = "6.x"
    #endif
}
