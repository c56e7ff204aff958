import NIOCore
import NIOHTTP1
import NIOPosix

/// Answers requests from `ExporterRoutes`, strictly one at a time per connection. Backpressure: while a request is
/// being answered, and until its answer has been handed to the kernel, the connection is not read; a client that
/// pipelines requests and never reads therefore costs one rendered page, not one per request. Rendering and bcrypt
/// run on thread pools, never on the event loop.
final class ExporterHTTPHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: ExporterRoutes
    /// Read per request, not per connection: a user removed from the file is refused on a kept-alive connection too.
    private let web: WebConfigSource
    private let requests: ConcurrencyLimiter
    private let renderPool: NIOThreadPool
    private let metrics: WebServerMetrics

    /// Requests fully received (head and end) and not yet answered, in order. Bounded by what one read can hold,
    /// since nothing more is read while this is non-empty.
    private var waiting = CircularBuffer<HTTPRequestHead>()
    private var receiving: HTTPRequestHead?
    private var answering = false
    private var readRequested = false
    private var closed = false

    init(
        routes: ExporterRoutes, web: WebConfigSource, requests: ConcurrencyLimiter, renderPool: NIOThreadPool,
        metrics: WebServerMetrics
    ) {
        self.routes = routes
        self.web = web
        self.requests = requests
        self.renderPool = renderPool
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            receiving = head
        case .body:
            return  // GET and HEAD carry none; other methods are answered 405 without reading it
        case .end:
            guard let head = receiving else { return }
            receiving = nil
            waiting.append(head)
        }
        context.triggerUserOutboundEvent(RequestPartDecoded(), promise: nil)
        answerNextIfIdle(context: context)
    }

    func read(context: ChannelHandlerContext) {
        if answering || !waiting.isEmpty {
            readRequested = true
        } else {
            context.read()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        waiting.removeAll()
        context.fireChannelInactive()
    }

    private func answerNextIfIdle(context: ChannelHandlerContext) {
        guard !answering, !closed, let request = waiting.popFirst() else { return }
        answering = true
        let state = web.current
        let headers = state.headers
        // First, as in exporter-toolkit: a refused request costs neither a slot nor a bcrypt check.
        if let limiter = state.rateLimiter, case .refused(let seconds) = limiter.take() {
            metrics.rejected(.rateLimit)
            var reply = text(429, "429 Too Many Requests\n")
            reply.retryAfter = seconds
            write(reply, for: request, headers: headers, context: context)
            return
        }
        guard requests.tryAcquire() else {
            metrics.rejected(.maxRequests)
            write(text(503, "503 too many concurrent requests\n"), for: request, headers: headers, context: context)
            return
        }
        let slot = requests
        guard let authenticator = state.authenticator else {
            render(request, headers: headers, context: context, releasing: slot)
            return
        }
        switch authenticator.verdict(authorization: request.headers.first(name: "Authorization")) {
        case .allowed:
            render(request, headers: headers, context: context, releasing: slot)
        case .denied:
            slot.release()
            refuse(request, headers: headers, context: context)
        case .needsBcrypt(let credentials):
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            BcryptThreadPool.shared.runIfActive(eventLoop: context.eventLoop) {
                authenticator.verify(credentials)
            }.whenComplete { result in
                let (handler, context) = bound.value
                if case .success(true) = result {
                    handler.render(request, headers: headers, context: context, releasing: slot)
                } else {
                    slot.release()
                    handler.refuse(request, headers: headers, context: context)
                }
            }
        }
    }

    /// Builds the answer on the render pool, then writes it from the event loop.
    private func render(
        _ request: HTTPRequestHead, headers: [WebConfig.HTTPHeaderSetting], context: ChannelHandlerContext,
        releasing slot: ConcurrencyLimiter
    ) {
        let routes = self.routes
        let allocator = context.channel.allocator
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        renderPool.runIfActive(eventLoop: context.eventLoop) {
            let reply = routes.reply(
                method: request.method.rawValue, path: request.uri,
                acceptEncoding: request.headers[canonicalForm: "Accept-Encoding"].map(String.init),
                accept: request.headers["Accept"])
            // The body is copied into buffers here too: a large fleet's plain page is 130 MB, too long a copy for
            // the event loop.
            let body = request.method == .HEAD ? [] : Self.buffers(reply, allocator)
            return (reply, body)
        }.whenComplete { result in
            slot.release()
            let (handler, context) = bound.value
            switch result {
            case .success(let (reply, body)):
                handler.write(reply, body: body, for: request, headers: headers, context: context)
            case .failure: context.close(promise: nil)
            }
        }
    }

    /// 401 with a Basic challenge; the body says nothing about the exporter (not even readiness).
    private func refuse(
        _ request: HTTPRequestHead, headers: [WebConfig.HTTPHeaderSetting], context: ChannelHandlerContext
    ) {
        metrics.rejected(.unauthorized)
        var reply = text(401, "401 Unauthorized\n")
        reply.wwwAuthenticate = "Basic"
        write(reply, for: request, headers: headers, context: context)
    }

    private func text(_ status: Int, _ body: String) -> ExporterRoutes.Reply {
        ExporterRoutes.Reply(status: status, contentType: "text/plain; charset=utf-8", body: Array(body.utf8))
    }

    /// The reply's body as buffers to write, one per non-empty part.
    private static func buffers(_ reply: ExporterRoutes.Reply, _ allocator: ByteBufferAllocator) -> [ByteBuffer] {
        reply.parts.filter { !$0.isEmpty }.map { allocator.buffer(bytes: $0) }
    }

    /// Writes `reply`; `body`, when given, is its parts already in buffers (made off the event loop).
    private func write(
        _ reply: ExporterRoutes.Reply, body: [ByteBuffer]? = nil, for request: HTTPRequestHead,
        headers extra: [WebConfig.HTTPHeaderSetting], context: ChannelHandlerContext
    ) {
        guard !closed else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: reply.contentType)
        headers.add(name: "Content-Length", value: String(reply.byteCount))
        if let encoding = reply.contentEncoding { headers.add(name: "Content-Encoding", value: encoding) }
        if let vary = reply.vary { headers.add(name: "Vary", value: vary) }
        if let allow = reply.allow { headers.add(name: "Allow", value: allow) }
        if let challenge = reply.wwwAuthenticate { headers.add(name: "WWW-Authenticate", value: challenge) }
        if let seconds = reply.retryAfter { headers.add(name: "Retry-After", value: String(seconds)) }
        for header in extra { headers.add(name: header.name, value: header.value) }
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let responseHead = HTTPResponseHead(
            version: request.version, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if request.method != .HEAD {
            let buffers = body ?? Self.buffers(reply, context.channel.allocator)
            for buffer in buffers { context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
        }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        // Completes once the whole answer is in the kernel's socket buffer: only then is the next request read.
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { result in
            let (handler, context) = bound.value
            guard keepAlive, case .success = result else {
                context.close(promise: nil)
                return
            }
            handler.answered(context: context)
        }
    }

    private func answered(context: ChannelHandlerContext) {
        answering = false
        if !waiting.isEmpty {
            answerNextIfIdle(context: context)
        } else if readRequested {
            readRequested = false
            context.read()
        }
    }
}
