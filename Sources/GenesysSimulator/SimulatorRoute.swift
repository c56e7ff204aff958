/// One API endpoint the simulator serves: its method, its path (exact, or a template with `{name}` segments), the
/// permission it requires and its handler.
struct SimulatorRoute: Sendable {
    let method: String
    let path: PathTemplate
    let permission: String?
    /// Called with the values of the path's `{name}` segments (empty for exact paths).
    let handler: @Sendable (SimulatorCore, SimulatorRequest, TokenSubject, [String: String]) -> SimulatorResponse

    init(
        _ method: String, _ path: String, permission: String?,
        handler:
            @escaping @Sendable (SimulatorCore, SimulatorRequest, TokenSubject, [String: String]) ->
            SimulatorResponse
    ) {
        self.method = method
        self.path = PathTemplate(path)
        self.permission = permission
        self.handler = handler
    }

    var isTemplate: Bool { path.text.contains("{") }
}

/// A file of routes, `Routes/<Name>Routes.swift`, whose type (`<Name>Routes`) lists the endpoints it serves. The
/// SimulatorRouteIndex plugin finds the files by name and writes `simulatorRouteFiles`, so a new file needs no list.
protocol SimulatorRouteFile: SendableMetatype {
    static var routes: [SimulatorRoute] { get }
}
