import NIOCore
import NIOHTTP1
import NIOPosix

/// Answers one HTTP/1.1 request at a time per connection from `ExporterRoutes`. Replies are built on
/// NIO's thread pool, so rendering a large exposition never stalls the event loop's I/O; the pipeline's
/// HTTPServerPipelineHandler holds pipelined requests until each response has ended.
final class ExporterHTTPHandler: ChannelInboundHandler {
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
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        let routes = self.routes
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        NIOThreadPool.singleton.runIfActive(eventLoop: context.eventLoop) {
            routes.reply(method: request.method.rawValue, path: request.uri)
        }.whenComplete { result in
            let (handler, context) = bound.value
            switch result {
            case .success(let reply): handler.write(reply, for: request, context: context)
            case .failure: context.close(promise: nil)
            }
        }
    }

    private func write(_ reply: ExporterRoutes.Reply, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: reply.contentType)
        headers.add(name: "Content-Length", value: String(reply.body.count))
        if let allow = reply.allow { headers.add(name: "Allow", value: allow) }
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let responseHead = HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: reply.body)))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
