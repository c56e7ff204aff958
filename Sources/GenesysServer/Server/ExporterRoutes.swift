/// What the HTTP endpoint serves; plain closures so the server knows nothing of Genesys.
import GenesysBase
import GenesysTelemetry

package struct ExporterRoutes: Sendable {
    package var telemetryPath: String
    /// The exposition in the encoding and syntax asked for, rendered from values the pollers already hold: a scrape
    /// never calls Genesys.
    /// The page for every org, or for the org a `?org=` names; nil for an org that is not monitored (404).
    package var renderMetrics: @Sendable (ExpositionEncoding, ExpositionSyntax, _ org: String?) -> RenderedExposition?
    package var readiness: @Sendable () -> (ready: Bool, reason: String)
    /// `POST /-/reload` (multi-org mode): re-reads the configuration; nil where there is nothing to reload (404).
    package var reload: (@Sendable () -> (ok: Bool, message: String))?
    /// What the landing page shows per org and collector; nil shows only the build and the links.
    package var status: (@Sendable () -> StatusSnapshot)?

    package init(
        telemetryPath: String = "/metrics",
        renderMetrics:
            @escaping @Sendable (ExpositionEncoding, ExpositionSyntax, _ org: String?) -> RenderedExposition?,
        readiness: @escaping @Sendable () -> (ready: Bool, reason: String),
        reload: (@Sendable () -> (ok: Bool, message: String))? = nil
    ) {
        self.telemetryPath = telemetryPath
        self.renderMetrics = renderMetrics
        self.readiness = readiness
        self.reload = reload
    }

    /// A text page that is not cached (tests, the fuzz targets): gzipped whole when the scraper accepts it, and
    /// rewritten (without `_created`, or as protobuf without native histograms) when it asks for another format.
    package init(
        telemetryPath: String = "/metrics", page: @escaping @Sendable () -> [UInt8],
        readiness: @escaping @Sendable () -> (ready: Bool, reason: String)
    ) {
        self.init(
            telemetryPath: telemetryPath,
            renderMetrics: { encoding, syntax, org in
                guard org == nil else { return nil }
                let plain = page()
                let bytes: [UInt8] =
                    switch syntax {
                    case .text: plain
                    case .openMetrics: OpenMetricsRewrite.page(plain) + OpenMetricsRewrite.eof
                    case .protobuf: ProtobufExposition.page(plain, native: nil)
                    }
                return RenderedExposition(page: bytes, encoding: encoding)
            },
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
        /// Seconds, on a 429 from the web config's `rate_limit`.
        package var retryAfter: Int?

        package init(status: Int, contentType: String, body: [UInt8]) {
            self.status = status
            self.contentType = contentType
            self.parts = [body]
        }

        package var byteCount: Int { parts.reduce(0) { $0 + $1.count } }
        package var body: [UInt8] { Array(parts.joined()) }
    }

    /// - Parameters:
    ///   - acceptEncoding: the request's `Accept-Encoding` lines; only the exposition is ever gzipped, as Go's
    ///     promhttp does (the other pages are a few bytes).
    ///   - accept: the request's `Accept` lines, which choose the exposition format (`ExpositionNegotiation`).
    package func reply(
        method: String, path rawPath: String, acceptEncoding: [String] = [], accept: [String] = []
    ) -> Reply {
        let path = String(rawPath.prefix { $0 != "?" })
        let known = [telemetryPath, "/", "/-/healthy", "/-/ready"] + (reload == nil ? [] : ["/-/reload"])
        guard known.contains(path) else { return text(404, "404 page not found\n") }
        if path == "/-/reload", let reload {
            // Prometheus' convention: POST (or PUT) only, so a crawler's GET never reloads.
            guard method == "POST" || method == "PUT" else {
                var reply = text(405, "405 method not allowed; use POST\n")
                reply.allow = "POST, PUT"
                return reply
            }
            let outcome = reload()
            return outcome.ok ? text(200, "Reloaded: \(outcome.message)\n") : text(500, "\(outcome.message)\n")
        }
        guard method == "GET" || method == "HEAD" else {
            var reply = text(405, "405 method not allowed\n")
            reply.allow = "GET, HEAD"
            return reply
        }
        switch path {
        case telemetryPath:
            let org = Self.queryValue("org", in: rawPath)
            let format = ExpositionNegotiation.format(accept: accept)
            let encoding: ExpositionEncoding = AcceptEncoding.acceptsGzip(acceptEncoding) ? .gzip : .identity
            guard let page = renderMetrics(encoding, format.syntax, org)
            else { return text(404, "no org named '\(SafeExcerpt.of(org ?? "", limit: 80))' is monitored here\n") }
            var reply = Reply(status: 200, contentType: format.contentType, body: [])
            reply.parts = page.parts
            reply.contentEncoding = page.encoding == .gzip ? "gzip" : nil
            reply.vary = "Accept, Accept-Encoding"
            return reply
        case "/-/healthy": return text(200, "Healthy\n")
        case "/-/ready":
            let status = readiness()
            return status.ready ? text(200, "Ready\n") : text(503, "Not ready: \(status.reason)\n")
        default:
            let page = StatusPageHTML.render(status?(), telemetryPath: telemetryPath, version: BuildInfo.summary)
            return Reply(status: 200, contentType: "text/html; charset=utf-8", body: Array(page.utf8))
        }
    }

    /// The first `name=value` of the URL's query, percent-decoded; nil when absent.
    static func queryValue(_ name: String, in uri: String) -> String? {
        guard let question = uri.firstIndex(of: "?") else { return nil }
        for pair in uri[uri.index(after: question)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name else { continue }
            return percentDecoded(parts[1]) ?? String(parts[1])  // undecodable: matches no org
        }
        return nil
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let first = utf8.index(after: index)
                guard first < utf8.endIndex, utf8.index(after: first) < utf8.endIndex,
                    let high = HexDigit.value(utf8[first]), let low = HexDigit.value(utf8[utf8.index(after: first)])
                else { return nil }
                bytes.append(high << 4 | low)
                index = utf8.index(first, offsetBy: 2)
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index = utf8.index(after: index)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private func text(_ status: Int, _ body: String) -> Reply {
        Reply(status: status, contentType: "text/plain; charset=utf-8", body: Array(body.utf8))
    }
}
