/// What the HTTP endpoint serves; plain closures so the server knows nothing of Genesys.
public struct ExporterRoutes: Sendable {
    public var telemetryPath: String
    /// The exposition, rendered from values the pollers already hold: a scrape never calls Genesys.
    public var renderMetrics: @Sendable () -> [UInt8]
    public var readiness: @Sendable () -> (ready: Bool, reason: String)

    public init(telemetryPath: String = "/metrics", renderMetrics: @escaping @Sendable () -> [UInt8],
                readiness: @escaping @Sendable () -> (ready: Bool, reason: String)) {
        self.telemetryPath = telemetryPath
        self.renderMetrics = renderMetrics
        self.readiness = readiness
    }

    package struct Reply {
        package var status: Int
        package var contentType: String
        package var body: [UInt8]
        package var allow: String?
        package var wwwAuthenticate: String?
    }

    static let expositionContentType = "text/plain; version=0.0.4; charset=utf-8"

    package func reply(method: String, path rawPath: String) -> Reply {
        let path = String(rawPath.prefix { $0 != "?" })
        let known = [telemetryPath, "/", "/-/healthy", "/-/ready"]
        guard known.contains(path) else { return text(404, "404 page not found\n") }
        guard method == "GET" || method == "HEAD" else {
            var reply = text(405, "405 method not allowed\n")
            reply.allow = "GET, HEAD"
            return reply
        }
        switch path {
        case telemetryPath: return Reply(status: 200, contentType: Self.expositionContentType, body: renderMetrics())
        case "/-/healthy": return text(200, "Healthy\n")
        case "/-/ready":
            let status = readiness()
            return status.ready ? text(200, "Ready\n") : text(503, "Not ready: \(status.reason)\n")
        default: return Reply(status: 200, contentType: "text/html; charset=utf-8", body: Array(landingPage.utf8))
        }
    }

    private func text(_ status: Int, _ body: String) -> Reply {
        Reply(status: status, contentType: "text/plain; charset=utf-8", body: Array(body.utf8))
    }

    private var landingPage: String {
        """
        <!DOCTYPE html>
        <html><head><title>Genesys Cloud Exporter</title></head>
        <body><h1>Genesys Cloud Exporter</h1>
        <p>Version \(BuildInfo.version) (revision \(BuildInfo.revision), Swift \(BuildInfo.swiftVersion))</p>
        <ul><li><a href="\(telemetryPath)">Metrics</a></li><li><a href="/-/healthy">Health</a></li><li><a href="/-/ready">Readiness</a></li></ul>
        </body></html>

        """
    }
}
