/// What the HTTP endpoint serves; plain closures so the server knows nothing of Genesys.
import GenesysBase
import GenesysTelemetry

package struct ExporterRoutes: Sendable {
    package var telemetryPath: String
    /// The exposition in the encoding asked for, rendered from values the pollers already hold: a scrape never
    /// calls Genesys.
    package var renderMetrics: @Sendable (ExpositionEncoding) -> RenderedExposition
    package var readiness: @Sendable () -> (ready: Bool, reason: String)

    package init(
        telemetryPath: String = "/metrics",
        renderMetrics: @escaping @Sendable (ExpositionEncoding) -> RenderedExposition,
        readiness: @escaping @Sendable () -> (ready: Bool, reason: String)
    ) {
        self.telemetryPath = telemetryPath
        self.renderMetrics = renderMetrics
        self.readiness = readiness
    }

    /// A page that is not cached (tests, the fuzz targets): gzipped whole when the scraper accepts it.
    package init(
        telemetryPath: String = "/metrics", page: @escaping @Sendable () -> [UInt8],
        readiness: @escaping @Sendable () -> (ready: Bool, reason: String)
    ) {
        self.init(
            telemetryPath: telemetryPath, renderMetrics: { RenderedExposition(page: page(), encoding: $0) },
            readiness: readiness)
    }

    package struct Reply {
        package var status: Int
        package var contentType: String
        /// Sent one after the other (a cached page and its live part).
        package var parts: [[UInt8]]
        package var contentEncoding: String?
        package var vary: String?
        package var allow: String?
        package var wwwAuthenticate: String?

        package init(status: Int, contentType: String, body: [UInt8]) {
            self.status = status
            self.contentType = contentType
            self.parts = [body]
        }

        package var byteCount: Int { parts.reduce(0) { $0 + $1.count } }
        package var body: [UInt8] { Array(parts.joined()) }
    }

    static let expositionContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// - Parameter acceptEncoding: the request's `Accept-Encoding` lines; only the exposition is ever gzipped,
    ///   as Go's promhttp does (the other pages are a few bytes).
    package func reply(method: String, path rawPath: String, acceptEncoding: [String] = []) -> Reply {
        let path = String(rawPath.prefix { $0 != "?" })
        let known = [telemetryPath, "/", "/-/healthy", "/-/ready"]
        guard known.contains(path) else { return text(404, "404 page not found\n") }
        guard method == "GET" || method == "HEAD" else {
            var reply = text(405, "405 method not allowed\n")
            reply.allow = "GET, HEAD"
            return reply
        }
        switch path {
        case telemetryPath:
            let page = renderMetrics(AcceptEncoding.acceptsGzip(acceptEncoding) ? .gzip : .identity)
            var reply = Reply(status: 200, contentType: Self.expositionContentType, body: [])
            reply.parts = page.parts
            reply.contentEncoding = page.encoding == .gzip ? "gzip" : nil
            reply.vary = "Accept-Encoding"
            return reply
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
        <p>Version \(BuildInfo.summary)</p>
        <ul><li><a href="\(telemetryPath)">Metrics</a></li><li><a href="/-/healthy">Health</a></li><li><a href="/-/ready">Readiness</a></li></ul>
        </body></html>

        """
    }
}
