/// One API endpoint the simulator serves: its method, its path (exact, or a template with `{name}` segments), the
/// permission it requires and its handler.
struct SimulatorRoute: Sendable {
    let method: String
    let path: PathTemplate
    let permission: String?
    /// Served without a token, rate limit or permission check (a public page such as the status page).
    private(set) var isPublic = false
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

    /// A route anyone may call: no bearer token is asked for (one sent is ignored), nothing is rate limited.
    static func unauthenticated(
        _ method: String, _ path: String,
        handler: @escaping @Sendable (SimulatorCore, SimulatorRequest) -> SimulatorResponse
    ) -> SimulatorRoute {
        var route = SimulatorRoute(method, path, permission: nil) { core, request, _, _ in handler(core, request) }
        route.isPublic = true
        return route
    }
}

/// A file of routes, `Routes/<Name>Routes.swift`, whose type (`<Name>Routes`) lists the endpoints it serves. The
/// SimulatorRouteIndex plugin finds the files by name and writes `simulatorRouteFiles`, so a new file needs no list.
protocol SimulatorRouteFile: SendableMetatype {
    static var routes: [SimulatorRoute] { get }
}
