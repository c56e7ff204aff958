/// Version facts exported as `genesys_exporter_build_info` and sent as the User-Agent.
public enum BuildInfo {
    public static let version = "0.1.0"
    /// The git revision; "unknown" until release packaging stamps it (no build step does yet).
    public static let revision = "unknown"
    #if compiler(>=6.3)
    public static let swiftVersion = "6.3"
    #elseif compiler(>=6.2)
    public static let swiftVersion = "6.2"
    #else
    public static let swiftVersion = "6.x"
    #endif
}
