import GenesysServer
import GenesysTelemetry
import NIOCore
import NIOEmbedded
import NIOHTTP1

/// What a scraper sends to the metrics server.
enum ServerTargets {
    static let routes = ExporterRoutes(
        telemetryPath: "/metrics",
        page: {
            // A gauge, a counter and a histogram: an OpenMetrics `Accept` rewrites the last two.
            Array(
                ("# HELP genesys_up 1 when the last poll worked.\n# TYPE genesys_up gauge\ngenesys_up 1\n"
                    + "# HELP genesys_polls_total Polls.\n# TYPE genesys_polls_total counter\n"
                    + "genesys_polls_total{result=\"ok\"} 3\n"
                    + "# HELP genesys_poll_seconds Poll time.\n# TYPE genesys_poll_seconds histogram\n"
                    + "genesys_poll_seconds_bucket{le=\"1.0\"} 2\ngenesys_poll_seconds_bucket{le=\"+Inf\"} 3\n"
                    + "genesys_poll_seconds_sum 2.5\ngenesys_poll_seconds_count 3\n").utf8)
        },
        readiness: { (false, "no successful poll yet") })

    /// The bytes go through the server's HTTP pipeline on an in-memory channel; the request line's method and
    /// path also go straight to `ExporterRoutes.reply`.
    static func metricsRequest(_ data: [UInt8]) {
        if let channel = try? makeServerChannel(routes: routes) {
            _ = try? channel.writeInbound(channel.allocator.buffer(bytes: data))
            while let part = try? channel.readOutbound(as: IOData.self) { _ = part }
            _ = try? channel.finish(acceptAlreadyClosed: true)
        }
        let requestLine = data.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        let words = requestLine.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: false)
        if words.count >= 2 {
            let method = String(decoding: words[0], as: UTF8.self), path = String(decoding: words[1], as: UTF8.self)
            let reply = routes.reply(method: method, path: path)
            FuzzTargets.require([200, 404, 405, 503].contains(reply.status), "status \(reply.status)")
        }
    }

    /// One `Accept` value, as a scraper sends it: the negotiation picks an offered format, the same one every time,
    /// and reading the value as two header lines split at a comma changes nothing.
    static func accept(_ data: [UInt8]) {
        let value = String(decoding: data, as: UTF8.self)
        let format = ExpositionNegotiation.format(accept: [value])
        FuzzTargets.require(ExpositionFormat.allCases.contains(format), "format \(format)")
        FuzzTargets.require(ExpositionNegotiation.format(accept: [value]) == format, "the same header, another format")
        if let comma = value.firstIndex(of: ","), value.utf8.count(where: { $0 == UInt8(ascii: ",") }) < 60 {
            let lines = [String(value[..<comma]), String(value[value.index(after: comma)...])]
            FuzzTargets.require(ExpositionNegotiation.format(accept: lines) == format, "split lines: another format")
        }
    }

    /// The metrics server's HTTP pipeline (`MetricsServer.bind`'s child channel initializer) on an
    /// `EmbeddedChannel`. Keep it in step with the server: this is the one place to update. Left out: TLS and the
    /// idle and request-head timeouts (time, not bytes). `InlineReplyHandler` stands in for `ExporterHTTPHandler`,
    /// which renders and checks bcrypt on thread pools, and an `EmbeddedEventLoop` must only be used from its own
    /// thread; it parses the `Authorization` header as the authenticator does.
    static func makeServerChannel(routes: ExporterRoutes) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withPipeliningAssistance: false, withErrorHandling: true)
        try channel.pipeline.syncOperations.addHandler(InlineReplyHandler(routes: routes))
        channel.pipeline.fireChannelActive()
        return channel
    }
}

/// `ExporterHTTPHandler`'s replies, built on the calling thread.
final class InlineReplyHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: ExporterRoutes
    private var head: HTTPRequestHead?

    init(routes: ExporterRoutes) { self.routes = routes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead): head = requestHead
        case .body: break
        case .end:
            guard let request = head else { return }
            head = nil
            _ = BasicAuthenticator.credentials(fromAuthorization: request.headers.first(name: "Authorization"))
            let acceptEncoding = request.headers[canonicalForm: "Accept-Encoding"].map(String.init)
            let reply = routes.reply(
                method: request.method.rawValue, path: request.uri, acceptEncoding: acceptEncoding,
                accept: request.headers["Accept"])
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: reply.contentType)
            headers.add(name: "Content-Length", value: String(reply.byteCount))
            if let encoding = reply.contentEncoding { headers.add(name: "Content-Encoding", value: encoding) }
            if let allow = reply.allow { headers.add(name: "Allow", value: allow) }
            if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
            let status = HTTPResponseStatus(statusCode: reply.status)
            let responseHead = HTTPResponseHead(version: request.version, status: status, headers: headers)
            context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
            if request.method != .HEAD {
                let body = context.channel.allocator.buffer(bytes: reply.body)
                context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            if !request.isKeepAlive { context.close(promise: nil) }
        }
    }
}
